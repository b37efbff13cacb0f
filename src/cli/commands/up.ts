import type { Command } from 'commander'
import { up } from '../../api/migrate.js'
import type { Run } from '../context.js'
import { eventRenderer } from '../events.js'
import { parseLockWait, parseSteps, parseTxMode, parseVersion } from '../flags.js'
import { printRunResult } from '../run-result.js'

/** `migrator up`: apply pending migrations in version order. */
export function register(program: Command, run: Run): void {
  program
    .command('up')
    .description('apply pending migrations in version order, each in its own transaction')
    .option('--to <version>', 'apply up to and including this version')
    .option('--steps <n>', 'apply at most n migrations')
    .option('--lock-wait <duration>', 'wait this long for another runner\'s lock (default: config lockWait, 30s)')
    .option('--dry-run', 'print the exact SQL that would run (with transaction boundaries); write nothing')
    .option('--tx-mode <mode>', 'file (one transaction per migration), all (one for the run) or none', 'file')
    .option('--all-or-nothing', 'a failure also reverts the migrations this run applied before it')
    .option('--allow-missing', 'do not refuse when applied migrations have no file')
    .addHelpText('after', '\nExamples:\n  migrator up\n  migrator up --dry-run\n  migrator up --steps 1 --all-or-nothing')
    .action(
      run(async (ctx, opts: { lockWait?: string; to?: string; steps?: string; dryRun?: boolean; txMode: string; allOrNothing?: boolean; allowMissing?: boolean }) => {
        const config = await ctx.config()
        const lockWaitMs = parseLockWait(opts.lockWait) ?? config.lockWaitMs
        const result = await up({ ...config, lockWaitMs }, {
          to: parseVersion(opts.to),
          steps: parseSteps(opts.steps),
          dryRun: opts.dryRun,
          txMode: parseTxMode(opts.txMode),
          allOrNothing: opts.allOrNothing,
          allowMissing: opts.allowMissing,
          onEvent: eventRenderer(ctx.out),
        })
        printRunResult(ctx, result, 'No pending migrations')
      }),
    )
}
