import type { Command } from 'commander'
import type { Run } from '../context.js'

/** Loaded when the command runs, so other commands (and --help, --version) do not pay for it. */
const repair = async (...args: Parameters<typeof import('../../api/repair.js').repair>) => (await import('../../api/repair.js')).repair(...args)

/** `migrator repair`: re-align history after a failed or intentionally edited migration. */
export function register(program: Command, run: Run): void {
  program
    .command('repair')
    .description('re-align history: forget failed rows, accept edited files, forget deleted ones (asks, or --yes)')
    .addHelpText('after', '\nExample:\n  migrator repair --yes')
    .action(
      run(async (ctx) => {
        const outcome = await repair(await ctx.config(), async (actions) => {
          for (const action of actions) ctx.out.info(`will ${action.detail}`)
          return ctx.confirm(`apply ${actions.length} history change${actions.length === 1 ? '' : 's'}`)
        })
        ctx.out.result(
          () => outcome,
          () => {
            if (outcome.actions.length === 0) ctx.out.print('History is consistent with the directory; nothing to repair')
            else if (outcome.applied) ctx.out.success(`repaired ${outcome.actions.length} history row${outcome.actions.length === 1 ? '' : 's'}`)
            else ctx.out.print('Nothing changed')
          },
        )
      }),
    )
}
