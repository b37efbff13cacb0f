import type { Command } from 'commander'
import type { Run } from '../context.js'
import type { FleetFlags } from '../flags.js'
import { runOverFleet } from '../fleet.js'

// Loaded when the command runs, so other commands' start-up does not pay for it.
const verifyDatabase = async (...args: Parameters<typeof import('../../api/verify.js').verifyDatabase>) => (await import('../../api/verify.js')).verifyDatabase(...args)

/** `migrator verify`: read-only soundness checks of the live database; exit 2 on findings. */
export function register(program: Command, run: Run): void {
  program
    .command('verify')
    .description('check the database is sound (SQLite integrity and foreign keys; PostgreSQL invalid indexes, unvalidated constraints, foreign-key orphans; MySQL/MariaDB foreign-key orphans and CHECK TABLE); reads only')
    .addHelpText('after', '\nExamples:\n  migrator verify\n  migrator verify --env production --json\n\nExit codes: 0 sound, 2 findings, 1 an error.')
    .action(
      run(async (ctx, opts: FleetFlags) => {
        const config = await ctx.config()
        if (await runOverFleet(ctx, config, opts, (tasks) => tasks.verifyTask)) return
        const report = await verifyDatabase(config)
        ctx.out.result(
          () => report,
          () => {
            ctx.out.info(`database: ${report.database}`)
            if (report.findings.length === 0) ctx.out.print('OK: no problems found')
            for (const finding of report.findings) ctx.out.print(`${finding.kind}: ${finding.message}`)
          },
        )
        if (report.findings.length > 0) process.exitCode = 2
      }),
    )
}
