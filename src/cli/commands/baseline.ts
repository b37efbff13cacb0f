import type { Command } from 'commander'
import type { Run } from '../context.js'
import { parseVersion } from '../flags.js'

/** Loaded when the command runs, so other commands (and --help, --version) do not pay for it. */
const baseline = async (...args: Parameters<typeof import('../../api/baseline.js').baseline>) => (await import('../../api/baseline.js')).baseline(...args)

/** `migrator baseline <version>`: record an existing database as being at `version`. */
export function register(program: Command, run: Run): void {
  program
    .command('baseline <version>')
    .description('record an existing database as being at <version> (any 14-digit version) without running anything: migrations at or below it count as applied, later ones run normally')
    .addHelpText('after', '\nExample:\n  migrator baseline 20240102030405')
    .action(
      run(async (ctx, version: string) => {
        const at = parseVersion('<version>', version)!
        const outcome = await baseline(await ctx.config(), at)
        ctx.out.result(
          () => outcome,
          () => {
            const n = outcome.recorded.length
            ctx.out.success(`baseline ${at}: recorded ${n} migration${n === 1 ? '' : 's'} as applied without running ${n === 1 ? 'it' : 'them'}${n === 0 ? '' : `: ${outcome.recorded.join(', ')}`}`)
            if (outcome.marker !== undefined) ctx.out.info(`no migration has version ${at}: recorded it as the baseline marker; migrations after it run with \`migrator up\``)
          },
        )
      }),
    )
}
