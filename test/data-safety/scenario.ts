import { describe, test } from 'vitest'
import type { DialectName } from './dialects.js'
import { openStage, type Stage, type StageOptions } from './stage.js'

/** One user action on real data, with exactly one expected outcome: `preserved` or `refused`. */
export interface Scenario {
  readonly name: string
  /** Dialects where the scenario cannot exist, each with the reason (shown in the skipped test's name). */
  readonly notOn?: Partial<Record<DialectName, string>>
  readonly stage?: StageOptions
  run(stage: Stage): Promise<void>
}

/**
 * A scenario makes at most four CLI calls, seconds each on a quiet machine; on 2 cores shared with
 * other suites one call has taken a minute, so the limit only catches a command that hangs.
 */
const TIMEOUT_MS = 600_000

/**
 * Registers every scenario for `dialect` as a concurrent test (each has its own database), or skips
 * them all with `unavailable` as the reason when the server does not answer (never under CI=true:
 * the availability helpers throw there).
 */
export function registerScenarios(dialect: DialectName, scenarios: readonly Scenario[], unavailable?: string): void {
  const names = new Set<string>()
  describe.concurrent(`data safety on ${dialect}`, () => {
    for (const scenario of scenarios) {
      if (names.has(scenario.name)) throw new Error(`duplicate scenario name: ${scenario.name}`)
      names.add(scenario.name)
      const why = unavailable ?? scenario.notOn?.[dialect]
      if (why !== undefined) {
        test.skip(`${scenario.name} — not on ${dialect}: ${why}`, () => undefined)
        continue
      }
      test(scenario.name, async ({ expect }) => {
        const stage = await openStage(dialect, scenario.name, expect, scenario.stage)
        try {
          await scenario.run(stage)
        } finally {
          await stage.dispose()
        }
      }, TIMEOUT_MS)
    }
  })
}
