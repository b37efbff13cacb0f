import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { cli, referenceStates } from './harness.js'
import { reliabilitySet, writeMigrations } from './migrations.js'
import { createTarget, DIALECTS, reachable } from './targets.js'

const RUNNERS = 8
const available = new Map(await Promise.all(DIALECTS.map(async (d) => [d, await reachable(d)] as const)))
const work = mkdtempSync(path.join(os.tmpdir(), 'migrator-concurrent-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

describe(`${RUNNERS} concurrent up runs`, () => {
  for (const dialect of DIALECTS) {
    it.skipIf(available.get(dialect) !== true)(`apply each migration exactly once on ${dialect}`, async () => {
      const set = reliabilitySet(dialect)
      const dir = path.join(work, dialect)
      await writeMigrations(path.join(dir, 'migrations'), set)
      const manual = await createTarget(dialect, dir)
      const target = await createTarget(dialect, dir)
      try {
        const ref = await referenceStates(manual, set)
        const runs = await Promise.all(Array.from({ length: RUNNERS }, () => cli(dir, target, ['up', '--force', '--lock-wait', '120s'])))
        for (const run of runs) expect(run.code, run.stderr).toBe(0)
        // Every migration is reported applied by exactly one of the runs; the others skipped it or found nothing to do.
        const applied = runs.flatMap((run) => [...run.stderr.matchAll(/applied (\d{14})_\w+ \(/g)].map((m) => m[1]))
        expect(applied.sort()).toEqual(set.map((m) => m.version))
        expect((await target.history()).map((r) => [r.version, r.status, r.statementsApplied])).toEqual(set.map((m) => [m.version, 'applied', m.statements.length]))
        expect((await target.state()) === ref.final, 'the database differs from one up run applied alone').toBe(true)
      } finally {
        await manual.drop()
        await target.drop()
      }
    }, 600_000)
  }
})
