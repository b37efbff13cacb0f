import type { Command } from 'commander'
import { parseUrl } from '../../config/url.js'
import { MigratorError } from '../../errors.js'
import type { CopyEvent, CopyMode, CopyReport } from '../../copy/run.js'
import type { CommandContext, Run } from '../context.js'
import { parseCount } from '../flags.js'

// Loaded when the command runs, so other commands' start-up does not pay for it.
const copyDatabase = async (...args: Parameters<typeof import('../../copy/run.js').copyDatabase>) => (await import('../../copy/run.js')).copyDatabase(...args)

interface CopyFlags {
  readonly from?: string
  readonly to?: string
  readonly tables?: string
  readonly schemaOnly?: boolean
  readonly dataOnly?: boolean
  readonly verifyOnly?: boolean
  readonly batch?: string
  readonly jobs?: string
  readonly dryRun?: boolean
}

/** `migrator copy`: move a database to another engine (or the same one), schema mapped and result proven. */
export function register(program: Command, run: Run): void {
  program
    .command('copy')
    .description('copy a database to another engine (PostgreSQL, MySQL/MariaDB, SQLite, any direction): schema mapped, rows copied resumably, counts and checksums compared on both sides')
    .option('--from <url>', 'source database URL (read only)')
    .option('--to <url>', 'target database URL (must be empty, except with --data-only)')
    .option('--tables <names>', 'copy only these tables (comma-separated)')
    .option('--schema-only', 'create the mapped schema, copy no rows')
    .option('--data-only', 'copy rows into existing, empty tables of a matching schema')
    .option('--verify-only', 'only compare row counts and checksums of both sides; writes nothing')
    .option('--batch <rows>', 'rows per page read and per transaction written (default 5000)')
    .option('--jobs <n>', 'tables copied at the same time (default 1)')
    .option('--dry-run', 'print the target DDL and what the mapping loses; write nothing')
    .addHelpText(
      'after',
      '\nExamples:\n  migrator copy --from sqlite:./app.db --to postgres://app@localhost/app --dry-run\n  migrator copy --from mysql://root@localhost/shop --to postgres://app@localhost/shop --jobs 4\n  migrator copy --from sqlite:./app.db --to postgres://app@localhost/app --verify-only\n\n' +
        'A killed copy resumes when run again with the same URLs. Exit codes: 0 copied and proven, 2 counts or checksums differ, 1 an error.',
    )
    .action(
      run(async (ctx, flags: CopyFlags) => {
        if (flags.from === undefined || flags.to === undefined) throw new MigratorError('usage', 'copy needs --from <url> and --to <url> (see migrator copy --help)')
        const modes = (['schemaOnly', 'dataOnly', 'verifyOnly'] as const).filter((m) => flags[m] === true)
        if (modes.length > 1) throw new MigratorError('usage', '--schema-only, --data-only and --verify-only exclude each other; pass one')
        const mode: CopyMode = flags.schemaOnly === true ? 'schema-only' : flags.dataOnly === true ? 'data-only' : flags.verifyOnly === true ? 'verify-only' : 'all'
        const batch = parseCount('--batch', flags.batch) ?? 5000
        const jobs = parseCount('--jobs', flags.jobs) ?? 1
        if (batch < 1 || jobs < 1) throw new MigratorError('usage', `${batch < 1 ? '--batch' : '--jobs'}: expected at least 1`)
        const tables = flags.tables?.split(',').map((t) => t.trim()).filter((t) => t !== '')
        const report = await copyDatabase({
          from: parseUrl(flags.from, ctx.cwd),
          to: parseUrl(flags.to, ctx.cwd),
          ...(tables === undefined ? {} : { tables }),
          mode,
          batch,
          jobs,
          dryRun: flags.dryRun === true,
          onEvent: progress(ctx),
        })
        ctx.out.result(() => report, () => printReport(ctx, report))
        if (!report.ok) process.exitCode = 2
      }),
    )
}

/** Per-table progress: a spinner with rows/s and ETA on a terminal, a log line per tenth otherwise. */
function progress(ctx: CommandContext): (event: CopyEvent) => void {
  let spinner: ReturnType<CommandContext['out']['spinner']> | undefined
  let started = Date.now()
  let logged = 0
  return (event) => {
    switch (event.kind) {
      case 'losses':
        for (const loss of event.losses) ctx.out.warn(`${loss.code} ${loss.where}: ${loss.message}`)
        return
      case 'resume':
        ctx.out.info('resuming the copy a previous run left unfinished')
        return
      case 'schema':
        if (event.statements > 0) ctx.out.info(`running ${event.statements} schema statements on the target`)
        return
      case 'table': {
        if (spinner === undefined) {
          spinner = ctx.out.spinner(`${event.table}: starting`)
          started = Date.now()
          logged = 0
        }
        const seconds = Math.max((Date.now() - started) / 1000, 0.001)
        const rate = event.copied / seconds
        const eta = rate > 0 ? Math.max(0, (event.total - event.copied) / rate) : 0
        spinner.text = `${event.table}: ${event.copied.toLocaleString('en')}/${event.total.toLocaleString('en')} rows · ${Math.round(rate).toLocaleString('en')} rows/s · ETA ${eta.toFixed(0)}s`
        const tenth = event.total > 0 ? Math.floor((event.copied * 10) / event.total) : 0
        if (!ctx.out.spinnersEnabled && tenth > logged && tenth < 10) {
          logged = tenth
          ctx.out.info(spinner.text)
        }
        return
      }
      case 'table-done': {
        const seconds = Math.max((Date.now() - started) / 1000, 0.001)
        spinner?.succeed(`${event.table}: ${event.copied.toLocaleString('en')} rows (${Math.round(event.copied / seconds).toLocaleString('en')} rows/s)`)
        spinner = undefined
        return
      }
      case 'proof':
        ctx.out.debug(`checksumming ${event.table}`)
        return
    }
  }
}

function printReport(ctx: CommandContext, report: CopyReport): void {
  if (report.dryRun) {
    ctx.out.print(`-- dry run: ${report.source} → ${report.target}; nothing was written`)
    for (const statement of report.statements) ctx.out.print(`${statement.trimEnd().replace(/;$/, '')};`)
    return
  }
  if (report.proof.length === 0) {
    ctx.out.print(`schema copied: ${report.statements.length} statements`)
    return
  }
  ctx.out.table(
    report.proof.map((p) => ({ table: p.table, source: p.sourceRows, target: p.targetRows, 'source checksum': p.sourceChecksum, 'target checksum': p.targetChecksum, result: p.match ? 'OK' : 'DIFFERENT' })),
    ['table', { key: 'source', align: 'right' }, { key: 'target', align: 'right' }, 'source checksum', 'target checksum', 'result'],
  )
  const different = report.proof.filter((p) => !p.match).length
  if (different > 0) ctx.out.error(`${different} of ${report.proof.length} tables differ between source and target`)
  else ctx.out.success(`${report.proof.length} tables proven identical (row counts and checksums)`)
}
