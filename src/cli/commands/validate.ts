import type { Command } from 'commander'
import type { Run } from '../context.js'
import type { FleetFlags } from '../flags.js'
import { runOverFleet } from '../fleet.js'

/** Loaded when the command runs, so other commands (and --help, --version) do not pay for it. */
const validate = async (...args: Parameters<typeof import('../../api/validate.js').validate>) => (await import('../../api/validate.js')).validate(...args)

/** `migrator validate`: migrator.sum and checksums vs history; exit 2 on mismatches. */
export function register(program: Command, run: Run): void {
  program
    .command('validate')
    .description('check migrator.sum and applied checksums against the files; never writes')
    .addHelpText('after', '\nExample:\n  migrator validate --json')
    .action(
      run(async (ctx, opts: FleetFlags) => {
        const config = await ctx.config()
        if (await runOverFleet(ctx, config, opts, (tasks) => tasks.validateTask)) return
        const report = await validate(config)
        ctx.out.result(
          () => report,
          () => {
            if (report.problems.length === 0) ctx.out.print(`OK: ${report.migrations} migration${report.migrations === 1 ? '' : 's'} valid`)
            for (const problem of report.problems) ctx.out.print(`mismatch: ${problem}`)
          },
        )
        if (report.problems.length > 0) process.exitCode = 2
      }),
    )
}
