import type { Command } from 'commander'
import { status } from '../../api/status.js'
import type { Run } from '../context.js'

/** `migrator status [--check]`: per-migration state, drift and ungenerated changes. */
export function register(program: Command, run: Run): void {
  program
    .command('status')
    .description('show applied/pending/modified/missing/failed migrations, drift and ungenerated changes')
    .option('--check', 'exit 2 when anything is pending, modified, missing, failed or drifted')
    .addHelpText('after', '\nExamples:\n  migrator status\n  migrator status --check --json')
    .action(
      run(async (ctx, opts: { check?: boolean }) => {
        const config = await ctx.config()
        const spinner = ctx.out.spinner('reading history and replaying migrations')
        const report = await status(config)
        spinner.stop()
        ctx.out.result(
          () => report,
          () => {
            ctx.out.info(`database: ${report.database}`)
            if (report.migrations.length === 0) ctx.out.print('No migrations')
            else ctx.out.table(report.migrations.map((m) => ({ ...m, appliedAt: m.appliedAt ?? '' })), ['version', 'name', 'state', { key: 'appliedAt', header: 'applied at' }])
            const pending = report.migrations.filter((m) => m.state === 'pending').length
            ctx.out.print(`${pending} pending`)
            if (report.drift.length === 0) ctx.out.print('No drift')
            else ctx.out.print(`Drift: the database differs from what its applied migrations produce:\n${report.drift.map((d) => `  ${d}`).join('\n')}`)
            if (report.ungenerated !== undefined) {
              if (report.ungenerated.length === 0) ctx.out.print('Target: in sync with the migrations')
              else ctx.out.print(`Target: ${report.ungenerated.length} change${report.ungenerated.length === 1 ? '' : 's'} not yet in a migration (run \`migrator diff\`):\n${report.ungenerated.map((d) => `  ${d}`).join('\n')}`)
            }
          },
        )
        if (opts.check === true && report.needsAttention) process.exitCode = 2
      }),
    )
}
