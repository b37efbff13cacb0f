import type { Command } from 'commander'
import type { Run } from '../context.js'
import { eventRenderer } from '../events.js'
import { parseLockWait, parseSteps, parseVersion, type FleetFlags } from '../flags.js'
import { runOverFleet } from '../fleet.js'
import { printRunResult } from '../run-result.js'

/** Loaded when the command runs, so other commands (and --help, --version) do not pay for it. */
const down = async (...args: Parameters<typeof import('../../api/migrate.js').down>) => (await import('../../api/migrate.js')).down(...args)

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
    .option('--allow-data-loss', 'revert even when a down drops a table or column that now holds rows; without it down asks on a terminal and refuses elsewhere (config: allowDataLoss)')
    .addHelpText('after', '\nExamples:\n  migrator down\n  migrator down --steps 2 --dry-run\n  migrator down --to 20240101000000\n  migrator down --all --allow-data-loss')
    .action(
      run(async (ctx, opts: { lockWait?: string; steps?: string; to?: string; all?: boolean; dryRun?: boolean; allowDataLoss?: boolean } & FleetFlags) => {
        const config = await ctx.config()
        // Loaded here: consent's analysis is what only up and down need.
        const { dataLossPrompt, printDataLoss } = await import('../consent.js')
        const lockWaitMs = parseLockWait(opts.lockWait) ?? config.lockWaitMs
        const options = {
          steps: parseSteps(opts.steps),
          to: parseVersion('--to', opts.to),
          all: opts.all,
          dryRun: opts.dryRun,
          allowDataLoss: opts.allowDataLoss,
          confirm: dataLossPrompt(ctx),
          onEvent: eventRenderer(ctx.out, { dryRun: opts.dryRun }),
        }
        if (await runOverFleet(ctx, { ...config, lockWaitMs }, opts, (tasks) => tasks.downTask(options))) return
        const result = await down({ ...config, lockWaitMs }, options)
        if (opts.dryRun === true) printDataLoss(ctx, result.dataLoss)
        printRunResult(ctx, result, { nothing: 'Nothing to revert', dryRun: opts.dryRun === true })
      }),
    )
}
