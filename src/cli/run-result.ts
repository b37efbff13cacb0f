import type { FileDataLoss } from '../safety/consent.js'
import type { MigrationResult, RunResult } from '../runner/run.js'
import type { CommandContext } from './context.js'

/**
 * Prints a run's outcome: the dry-run SQL, or a table of migrations, then the error (exit 1).
 * `--json`: `{ dryRun, results, sql?, dataLoss?, error? }` (`dataLoss`: what the run destroys, or
 * would). A dry run changed nothing, so its results say `would-apply` / `would-revert` where a real
 * run says `applied` / `reverted`.
 */
export function printRunResult(
  ctx: CommandContext,
  result: RunResult & { readonly dataLoss?: readonly FileDataLoss[] },
  options: { readonly nothing: string; readonly dryRun: boolean },
): void {
  // A dry run executed nothing, so it has no execution time to report.
  const results = result.results.map((r) => ({ version: r.version, name: r.name, status: statusOf(r, options.dryRun), executionMs: options.dryRun ? undefined : r.executionMs, error: r.error?.message }))
  ctx.out.result(
    () => ({
      dryRun: options.dryRun,
      results,
      ...(result.sql === undefined ? {} : { sql: result.sql }),
      ...(result.dataLoss === undefined ? {} : { dataLoss: result.dataLoss }),
      ...(result.error === undefined ? {} : { error: { code: result.error.code, message: result.error.message } }),
    }),
    () => {
      if (result.sql !== undefined) ctx.out.print(result.sql === '' ? `-- ${options.nothing}` : result.sql)
      else if (results.length === 0) ctx.out.info(options.nothing)
      else if (!ctx.out.isJson) ctx.out.table(results, ['version', 'name', 'status', { key: 'executionMs', header: 'ms', align: 'right' }])
      if (result.error !== undefined) ctx.out.error(result.error.message)
    },
  )
  if (result.error !== undefined) process.exitCode = result.error.exitCode
}

function statusOf(result: MigrationResult, dryRun: boolean): string {
  if (!dryRun) return result.status
  if (result.status === 'applied') return 'would-apply'
  if (result.status === 'reverted') return 'would-revert'
  return result.status
}
