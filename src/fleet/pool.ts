/** How a fleet schedules its targets. */
export interface PoolOptions {
  /** Targets running at once (≥ 1). */
  readonly concurrency: number
  /** The first n targets run (and finish) alone; a failure among them stops everything. */
  readonly canary: number
  /** Keep scheduling after a failure; otherwise none starts after the first failure. */
  readonly continueOnError: boolean
}

/**
 * Runs `work(i)` for the indexes 0..count-1 with at most `concurrency` at once; `work` reports
 * whether item i succeeded and never throws. Returns the indexes never started (a failure
 * stopped the run); running ones always finish.
 */
export async function runPool(count: number, options: PoolOptions, work: (index: number) => Promise<boolean>): Promise<number[]> {
  let failed = false
  const run = async (indexes: readonly number[], stopOnFailure: boolean): Promise<number[]> => {
    let next = 0
    const worker = async () => {
      while (next < indexes.length && !(failed && stopOnFailure)) {
        const index = indexes[next++]!
        if (!(await work(index))) failed = true
      }
    }
    await Promise.all(Array.from({ length: Math.min(options.concurrency, indexes.length) }, worker))
    return indexes.slice(next)
  }
  const all = Array.from({ length: count }, (_, i) => i)
  const canaries = all.slice(0, options.canary)
  const rest = all.slice(options.canary)
  const skippedCanaries = await run(canaries, true)
  if (failed) return [...skippedCanaries, ...rest]
  return run(rest, !options.continueOnError)
}
