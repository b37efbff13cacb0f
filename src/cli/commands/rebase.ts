import type { Command } from 'commander'
import type { Run } from '../context.js'
import { parseVersion } from '../flags.js'

/** Loaded when the command runs, so other commands (and --help) do not pay for it. */
const rebase = async (...args: Parameters<typeof import('../../api/rebase.js').rebase>) => (await import('../../api/rebase.js')).rebase(...args)

/** `migrator rebase <version>`: move a migration after the newest one (after merging branches). */
export function register(program: Command, run: Run): void {
  program
    .command('rebase <version>')
    .description('give migration <version> a new version after the newest file (renames its files, rewrites migrator.sum): the branch merged second goes last')
    .addHelpText('after', '\nExample:\n  migrator rebase 20240102030405')
    .action(
      run(async (ctx, version: string) => {
        const at = parseVersion('<version>', version)!
        const outcome = await rebase(await ctx.config(), at)
        ctx.out.result(
          () => outcome,
          () => {
            for (const r of outcome.renamed) ctx.out.success(`renamed ${r.from} → ${r.to}`)
            ctx.out.info(`rewrote migrator.sum; ${outcome.from} is now ${outcome.to}, the newest migration`)
          },
        )
      }),
    )
}
