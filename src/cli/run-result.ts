import type { FileDataLoss } from '../safety/consent.js'
import type { RunResult } from '../runner/run.js'
import type { CommandContext } from './context.js'

/**
 * Prints a run's outcome: the dry-run SQL, or a table of migrations, then the error (exit 1).
 * `--json`: `{ results, sql?, dataLoss?, error? }` (`dataLoss`: what the run destroys, or would).
 */
export function printRunResult(ctx: CommandContext, result: RunResult & { readonly dataLoss?: readonly FileDataLoss[] }, nothing: string): void {
  const results = result.results.map((r) => ({ version: r.version, name: r.name, status: r.status, executionMs: r.executionMs, error: r.error?.message }))
  ctx.out.result(
    () => ({ results, ...(result.sql === undefined ? {} : { sql: result.sql }), ...(result.dataLoss === undefined ? {} : { dataLoss: result.dataLoss }), ...(result.error === undefined ? {} : { error: { code: result.error.code, message: result.error.message } }) }),
    () => {
      if (result.sql !== undefined) ctx.out.print(result.sql === '' ? `-- ${nothing}` : result.sql)
      else if (results.length === 0) ctx.out.info(nothing)
      else if (!ctx.out.isJson) ctx.out.table(results, ['version', 'name', 'status', { key: 'executionMs', header: 'ms', align: 'right' }])
      if (result.error !== undefined) ctx.out.error(result.error.message)
    },
  )
  if (result.error !== undefined) process.exitCode = result.error.exitCode
}
