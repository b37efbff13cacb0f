import type { Command } from 'commander'
import { down } from '../../api/migrate.js'
import type { Run } from '../context.js'
import { eventRenderer } from '../events.js'
import { parseLockWait, parseSteps, parseVersion } from '../flags.js'
import { printRunResult } from '../run-result.js'

/** `migrator down`: revert applied migrations, newest first. */
export function register(program: Command, run: Run): void {
  program
    .command('down')
    .description('revert applied migrations newest first (default: one)')
    .option('--steps <n>', 'revert n migrations')
    .option('--to <version>', 'revert down to (not including) this version')
    .option('--all', 'revert every applied migration')
    .option('--lock-wait <duration>', 'wait this long for another runner\'s lock (default: config lockWait, 30s)')
    .option('--dry-run', 'print the exact SQL that would run; write nothing')
    .addHelpText('after', '\nExamples:\n  migrator down\n  migrator down --steps 2 --dry-run\n  migrator down --to 20240101000000')
    .action(
      run(async (ctx, opts: { lockWait?: string; steps?: string; to?: string; all?: boolean; dryRun?: boolean }) => {
        const config = await ctx.config()
        const lockWaitMs = parseLockWait(opts.lockWait) ?? config.lockWaitMs
        const result = await down({ ...config, lockWaitMs }, {
          steps: parseSteps(opts.steps),
          to: parseVersion(opts.to),
          all: opts.all,
          dryRun: opts.dryRun,
          onEvent: eventRenderer(ctx.out, { dryRun: opts.dryRun }),
        })
        printRunResult(ctx, result, 'Nothing to revert')
      }),
    )
}
