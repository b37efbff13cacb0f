import path from 'node:path'
import type { Command } from 'commander'
import type { Run } from '../context.js'
import { eventRenderer } from '../events.js'
import { printFinding, rowsTouched } from '../findings.js'
import { parseCount, parseLockWait, parseSteps, parseTxMode, parseVersion, type FleetFlags } from '../flags.js'
import { runOverFleet } from '../fleet.js'
import { printRunResult } from '../run-result.js'

/** Loaded when the command runs, so other commands (and --help, --version) do not pay for it. */
const up = async (...args: Parameters<typeof import('../../api/migrate.js').up>) => (await import('../../api/migrate.js')).up(...args)

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
    .option('--lock-retries <n>', 'retry a migration stopped by lockTimeout up to n times, with backoff (it rolled back, so each retry starts clean)')
    .option('--allow-missing', 'do not refuse when applied migrations have no file')
    .option('--allow-out-of-order', 'apply pending migrations older than the newest applied one (merged from another branch); without it up refuses them (config: allowOutOfOrder)')
    .option('--force', 'apply even when lint finds error-level problems (see migrator lint); never covers data loss')
    .option('--allow-data-loss', 'apply migrations that destroy stored values (drop a table or column holding rows, narrow values that do not fit); without it up asks on a terminal and refuses elsewhere (config: allowDataLoss)')
    .option('--backup', 'snapshot the database before applying (config: backup: true)')
    .option('--verify', 'count and checksum every table a migration does not name, before and after it: a difference (a trigger, a function it calls) fails it, rolled back where the dialect can; large tables are checksummed over a sample, and the output says so')
    .addHelpText('after', '\nExamples:\n  migrator up\n  migrator up --dry-run\n  migrator up --steps 1 --all-or-nothing\n  migrator up --backup --force\n  migrator up --backup --allow-data-loss\n  migrator up --verify')
    .action(
      run(async (ctx, opts: { lockWait?: string; to?: string; steps?: string; dryRun?: boolean; txMode: string; allOrNothing?: boolean; allowMissing?: boolean; allowOutOfOrder?: boolean; lockRetries?: string; force?: boolean; backup?: boolean; allowDataLoss?: boolean; verify?: boolean } & FleetFlags) => {
        const config = await ctx.config()
        // Loaded here: consent's analysis is what only up and down need.
        const { dataLossPrompt, printDataLoss } = await import('../consent.js')
        const lockWaitMs = parseLockWait(opts.lockWait) ?? config.lockWaitMs
        const options = {
          to: parseVersion('--to', opts.to),
          steps: parseSteps(opts.steps),
          dryRun: opts.dryRun,
          txMode: parseTxMode(opts.txMode),
          allOrNothing: opts.allOrNothing,
          allowMissing: opts.allowMissing,
          allowOutOfOrder: opts.allowOutOfOrder,
          lockRetries: parseCount('--lock-retries', opts.lockRetries),
          force: opts.force,
          backup: opts.backup,
          verify: opts.verify,
          allowDataLoss: opts.allowDataLoss,
          confirm: dataLossPrompt(ctx),
          onEvent: eventRenderer(ctx.out, { dryRun: opts.dryRun }),
        }
        if (await runOverFleet(ctx, { ...config, lockWaitMs }, opts, (tasks) => tasks.upTask(options))) return
        const result = await up({ ...config, lockWaitMs }, options)
        if (result.backup !== undefined) ctx.out.info(`backup: ${path.relative(ctx.cwd, result.backup.file) || result.backup.file} (restore with \`migrator restore <file>\`)`)
        // The risk report goes to stderr: stdout of a dry run is exactly the SQL. A real run shows
        // only high risks (the full report is `up --dry-run` or `migrator lint`).
        for (const m of result.lint?.migrations ?? []) {
          if (opts.dryRun !== true && m.risk.level !== 'high') continue
          const rows = rowsTouched(m.risk)
          ctx.out.info(`${m.file}: risk ${m.risk.level}${rows === undefined ? '' : `, ${rows} touched`}`)
          for (const f of m.findings) printFinding(ctx.out, f)
        }
        if (opts.dryRun === true) printDataLoss(ctx, result.dataLoss)
        printRunResult(ctx, result, { nothing: 'No pending migrations', dryRun: opts.dryRun === true })
      }),
    )
}
