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

const FIXTURES = path.resolve(import.meta.dirname, '../../../shared/fixtures/real/sqlite')

let work: string | undefined
afterEach(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true })
})

function configFor(fixture: string): ResolvedConfig {
  work = mkdtempSync(path.join(os.tmpdir(), 'migrator-fixture-'))
  return {
    cwd: work, url: `sqlite:${path.join(work, 'app.db')}`, dir: path.join(work, 'migrations'), target: path.join(FIXTURES, fixture),
    schemas: ['public'], historyTable: 'migrator_history', lockTimeoutMs: 5000, lockWaitMs: 5000,
  }
}

describe.each(readdirSync(FIXTURES).filter((f) => f.endsWith('.sql')))('round trip of sqlite/%s', (fixture) => {
  it('empty → diff → up equals the target; second diff is empty; down returns to empty', async () => {
    const config = configFor(fixture)
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
})
