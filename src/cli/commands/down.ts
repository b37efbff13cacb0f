import type { Command } from 'commander'
import { down } from '../../api/migrate.js'
import type { Run } from '../context.js'
import { eventRenderer } from '../events.js'
import { parseSteps, parseVersion } from '../flags.js'
import { printRunResult } from '../run-result.js'

/** `migrator down`: revert applied migrations, newest first. */
export function register(program: Command, run: Run): void {
  program
    .command('down')
    .description('revert applied migrations newest first (default: one)')
    .option('--steps <n>', 'revert n migrations')
    .option('--to <version>', 'revert down to (not including) this version')
    .option('--all', 'revert every applied migration')
    .option('--dry-run', 'print the exact SQL that would run; write nothing')
    .addHelpText('after', '\nExamples:\n  migrator down\n  migrator down --steps 2 --dry-run\n  migrator down --to 20240101000000')
    .action(
      run(async (ctx, opts: { steps?: string; to?: string; all?: boolean; dryRun?: boolean }) => {
        const result = await down(await ctx.config(), {
          steps: parseSteps(opts.steps),
          to: parseVersion(opts.to),
          all: opts.all,
          dryRun: opts.dryRun,
          onEvent: eventRenderer(ctx.out),
        })
        printRunResult(ctx, result, 'Nothing to revert')
      }),
    )
}
