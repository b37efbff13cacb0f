import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { diff } from '../../src/api/diff.js'
import { inspect } from '../../src/api/inspect.js'
import { down, up } from '../../src/api/migrate.js'
import { withDriver, withScratch } from '../../src/api/session.js'
import type { ResolvedConfig } from '../../src/config/schema.js'
import { loadTarget } from '../../src/target/load.js'
import { corpusFile, describeCorpus } from '../helpers/corpus.js'

const OWN = path.resolve(import.meta.dirname, '../fixtures/sqlite')

let work: string | undefined
afterEach(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true })
})

function configFor(dir: string, fixture: string): ResolvedConfig {
  work = mkdtempSync(path.join(os.tmpdir(), 'migrator-fixture-'))
  return {
    cwd: work, url: `sqlite:${path.join(work, 'app.db')}`, dir: path.join(work, 'migrations'), target: path.join(dir, fixture),
    schemas: ['public'], historyTable: 'migrator_history', lockTimeoutMs: 5000, lockWaitMs: 5000,
  }
}

function roundTrip(dir: string, fixture: string): void {
  it('empty → diff → up equals the target; second diff is empty; down returns to empty', async () => {
    const config = configFor(dir, fixture)
    const generated = await diff(config, { name: 'create' })
    expect(generated.written).toBeDefined()
    const applied = await up(config)
    expect(applied.error?.message).toBeUndefined()

    const live = (await inspect(config, 'json')).schema
    const target = await withDriver(config, (driver) => withScratch(driver, config, (scratch) => loadTarget(config.target!, scratch, { exclude: ['migrator_history'] })))
    expect(live).toEqual(target)
    expect((await diff(config, { dryRun: true })).changes).toEqual([])

    const reverted = await down(config, { all: true })
    expect(reverted.error?.message).toBeUndefined()
    expect((await inspect(config, 'json')).schema).toEqual({ tables: [], views: [], objects: [] })
  })
}

const sqlFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.sql'))

describe.each(sqlFiles(OWN))('round trip of test/fixtures/sqlite/%s', (fixture) => roundTrip(OWN, fixture))
describeCorpus('round trips of the real-world corpus', () => {
  describe.each(sqlFiles(corpusFile('sqlite')))('round trip of sqlite/%s', (fixture) => roundTrip(corpusFile('sqlite'), fixture))
})
