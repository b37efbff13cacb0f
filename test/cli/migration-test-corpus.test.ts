import { cpSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { corpusFile, describeCorpus } from '../helpers/corpus.js'
import { availableDialects, createDatabase, type DialectKey } from './dialect-databases.js'
import { ROOT, tempProject, type TempProject } from './helpers.js'

const available = await availableDialects()

/**
 * The corpus directory of each dialect. MySQL's sakila.sql is left out: its views name their
 * tables `sakila.actor`, and the target loads into a scratch database of another name, so `diff`
 * cannot read it (a target-loading limit, not a `migrator test` one).
 */
const FIXTURES: Record<DialectKey, { dir: 'postgres' | 'mysql' | 'sqlite'; skip: readonly string[] }> = {
  postgres: { dir: 'postgres', skip: [] },
  mariadb: { dir: 'mysql', skip: ['sakila.sql'] },
  sqlite: { dir: 'sqlite', skip: [] },
}

interface Report {
  migrations: { name: string; status: string; differences?: string[]; seeded?: string[]; notSeeded?: { table: string; reason: string }[] }[]
}

let project: TempProject | undefined
afterEach(() => project?.remove())

describe('migrator test on the README worked example', () => {
  it('passes the README worked example (the repository\'s migrations/)', { timeout: 120_000 }, async () => {
    project = tempProject({ 'migrator.config.ts': "export default { url: 'sqlite:./dev.db', dir: './migrations' }\n" })
    cpSync(path.join(ROOT, 'migrations'), path.join(project.dir, 'migrations'), { recursive: true })
    const result = await project.run(['test', '--json'])
    expect(result.code, result.stderr).toBe(0)
    const report = JSON.parse(result.stdout) as Report
    expect(report.migrations.map((m) => `${m.name} ${m.status}`)).toEqual(['create_blog pass', 'add_comments pass'])
    expect(report.migrations.every((m) => m.notSeeded === undefined)).toBe(true)
  })
})

describeCorpus('migrator test on the real-world corpus', () => {
  for (const dialect of ['postgres', 'mariadb', 'sqlite'] as const) {
    const { dir, skip } = FIXTURES[dialect]
    for (const fixture of readdirSync(corpusFile(dir)).filter((f) => f.endsWith('.sql') && !skip.includes(f))) {
      it.skipIf(!available[dialect])(`${dialect} ${fixture}: the migration diff generates for it round-trips with seeded rows`, { timeout: 300_000 }, async () => {
        const database = await createDatabase(dialect, 'corpus')
        try {
          project = tempProject({
            'migrator.config.ts': `export default { url: ${JSON.stringify(database.url)}, dir: './migrations', target: './schema.sql' }\n`,
            'schema.sql': readFileSync(corpusFile(dir, fixture), 'utf8'),
          })
          const generated = await project.run(['diff', 'init'])
          expect(generated.code, generated.stderr).toBe(0)
          const result = await project.run(['test', '--json'])
          expect(result.code, result.stderr).toBe(0)
          const [migration] = (JSON.parse(result.stdout) as Report).migrations
          expect(migration?.status, JSON.stringify(migration?.differences)).toBe('pass')
          expect(migration?.seeded?.length).toBeGreaterThan(0)
          // Every column type gets values: what is left unseeded is a data shape (a row of a
          // partition, a one-row CHECK, a foreign-key cycle), never a type the seeder cannot write.
          for (const problem of migration?.notSeeded ?? []) expect(problem.reason).not.toMatch(/malformed|invalid input syntax|incorrect .* value/i)
        } finally {
          await database.drop()
        }
      })
    }
  }
})
