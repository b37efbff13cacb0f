import type { Driver } from '../dialects/dialect.js'
import type { BackfillEvent } from './events.js'
import { runBackfill } from './run.js'
import type { BackfillOptions, BackfillResult } from './run.js'
import type { BackfillSpec, BackfillThrottle } from './spec.js'

/** What a `.ts` migration passes to `ctx.backfill`: the spec plus an optional throttle. */
export type BackfillRequest = BackfillSpec & BackfillThrottle & { readonly count?: boolean; readonly maxPasses?: number }

/** `ctx.backfill` of a module migration: runs a chunked, resumable backfill (see runBackfill). */
export type BackfillFunction = (request: BackfillRequest) => Promise<BackfillResult>

/**
 * Builds `ctx.backfill` for module migrations. The runner passes its driver (not the migration's
 * transaction: each chunk commits on its own, so the module must run outside a transaction) and its
 * event sink; `defaults` carry CLI throttle flags (`--sleep`, `--max-rows-per-second`), which the
 * request overrides.
 */
export function createBackfillFunction(
  driver: Driver,
  onEvent: (event: BackfillEvent) => void,
  defaults: Omit<BackfillOptions, 'onEvent'> = {},
): BackfillFunction {
  return (request) => {
    const { sleepMs, maxRowsPerSecond, count, maxPasses, ...spec } = request
    return runBackfill(driver, spec, {
      ...defaults,
      onEvent,
      ...(sleepMs === undefined ? {} : { sleepMs }),
      ...(maxRowsPerSecond === undefined ? {} : { maxRowsPerSecond }),
      ...(count === undefined ? {} : { count }),
      ...(maxPasses === undefined ? {} : { maxPasses }),
    })
  }
}
