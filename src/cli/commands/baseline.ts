import type { Command } from 'commander'
import type { Run } from '../context.js'
import { parseVersion } from '../flags.js'

/** Loaded when the command runs, so other commands (and --help, --version) do not pay for it. */
const baseline = async (...args: Parameters<typeof import('../../api/baseline.js').baseline>) => (await import('../../api/baseline.js')).baseline(...args)

/** `migrator baseline <version>`: record an existing database as being at `version`. */
export function register(program: Command, run: Run): void {
  program
    .command('baseline <version>')
    .description('record an existing database as being at <version> without running anything')
    .addHelpText('after', '\nExample:\n  migrator baseline 20240102030405')
    .action(
      run(async (ctx, version: string) => {
        const at = parseVersion('<version>', version)!
        const outcome = await baseline(await ctx.config(), at)
        ctx.out.result(() => outcome, () => ctx.out.success(`recorded ${outcome.recorded.length} migration${outcome.recorded.length === 1 ? '' : 's'} as applied: ${outcome.recorded.join(', ')}`))
      }),
    )
}
