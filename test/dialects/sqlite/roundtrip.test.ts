import { afterAll, describe, expect, it } from 'vitest'
import { diffSchemas } from '../../../src/schema/diff.js'
import { emptySchema } from '../../../src/schema/model.js'
import { describeCorpus } from '../../helpers/corpus.js'
import { CORPUS_FIXTURES, fixtureNames, OWN_FIXTURES, openFile, readFixture, runScript, tempDir } from './helpers.js'

const temp = tempDir('roundtrip')
afterAll(() => temp.cleanup())

/** Each fixture of `dir`: empty → target → second diff empty → reverse → empty. */
function roundTrips(dir: string): void {
  for (const name of fixtureNames(dir)) {
    it(`${name}: empty → target → second diff empty → reverse → empty`, async () => {
      const source = openFile(temp.dir)
      await runScript(source, readFixture(name, dir))
      const target = await source.inspect()
      await source.close()

      const driver = openFile(temp.dir)
      try {
        const { changes } = diffSchemas(emptySchema, target, { capabilities: driver.capabilities })
        const plan = driver.plan(changes, { current: emptySchema, desired: target })
        expect(plan.statements.length).toBeGreaterThan(0)
        await driver.db.transaction(async (tx) => {
          for (const s of plan.statements) await tx.exec(s.sql)
        })
        const applied = await driver.inspect()
        expect(applied).toEqual(target)
        expect(diffSchemas(applied, target, { capabilities: driver.capabilities }).changes).toEqual([])

        await driver.db.transaction(async (tx) => {
          for (const s of [...plan.statements].reverse()) for (const r of s.reverse) await tx.exec(r)
        })
        expect(await driver.inspect()).toEqual(emptySchema)
      } finally {
        await driver.close()
      }
    })
  }
}

describe('sqlite round trip on the project fixtures', () => roundTrips(OWN_FIXTURES))
describeCorpus('sqlite round trip on the real-world corpus', () => roundTrips(CORPUS_FIXTURES))
