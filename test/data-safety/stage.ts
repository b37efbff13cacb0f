import { readdirSync } from 'node:fs'
import path from 'node:path'
import type { ExpectStatic } from 'vitest'
import { writeSum } from '../../src/migrations/sum.js'
import { tempProject, type CliResult, type TempProject } from '../cli/helpers.js'
import { TYPES, type DialectName, type Types } from './dialects.js'
import type { RawDb } from './raw.js'
import { openMariadb } from './raw-mariadb.js'
import { openPostgres } from './raw-postgres.js'
import { openSqlite } from './raw-sqlite.js'
import { WITNESS_ROWS, witnessDdl } from './values.js'

/** Output kept per stream in failure messages; enough for a refusal line and a database error. */
const SHOWN = 3000

/** One scenario on one dialect: a fresh database, a temp project and the transcript of its CLI calls. */
export interface Stage {
  readonly dialect: DialectName
  /**
   * The running test's `expect` (concurrent tests need their own). Outcome checks use
   * `expect.soft`, so one run reports every broken promise of a scenario, not only the first.
   */
  readonly expect: ExpectStatic
  readonly t: Types
  readonly db: RawDb
  readonly project: TempProject
  /** Writes `schema.sql`: the witness table, then `sql`. */
  target(sql: string): void
  /**
   * Writes the project's config for the scenario's database; `extra` holds more keys
   * (`{ allowDataLoss: true }`). JSON, because loading a .ts config costs each CLI call ~0.6 s of CPU.
   */
  config(extra?: Readonly<Record<string, unknown>>): void
  /** Runs the built CLI in the project with DATABASE_URL set to the scenario's database. */
  cli(...args: string[]): Promise<CliResult>
  /** `migrator diff <slug> …flags`, which must succeed and write files; returns the new up files' text. */
  diff(slug: string, ...flags: string[]): Promise<string[]>
  /** A hand-written migration pair `<version>_<slug>` and a fresh `migrator.sum`. */
  handWritten(version: string, slug: string, up: string, down: string): Promise<void>
  /** Versions recorded as applied in the history table, oldest first ([] without a history table). */
  applied(): Promise<readonly string[]>
  /** Versions of the migration files in the project, oldest first. */
  versions(): readonly string[]
  /** `[dialect] scenario` and every CLI call so far with its output: the context of every failure message. */
  context(): string
  dispose(): Promise<void>
}

export interface StageOptions {
  /** No config file: the scenario scaffolds its project itself (`migrator init`). */
  readonly bare?: boolean
}

function clip(text: string): string {
  return text.length > SHOWN ? `${text.slice(0, SHOWN)}… (${text.length - SHOWN} more characters)` : text
}

/** Creates the database and project, then the witness table with its rows (through the raw driver). */
export async function openStage(dialect: DialectName, scenario: string, expect: ExpectStatic, options: StageOptions = {}): Promise<Stage> {
  const project = tempProject()
  let db: RawDb
  try {
    db = dialect === 'postgres' ? await openPostgres() : dialect === 'mariadb' ? await openMariadb() : openSqlite(project.dir)
  } catch (error) {
    project.remove()
    throw error
  }
  const t = TYPES[dialect]
  const transcript: string[] = []
  const upFiles = () => new Set(project.exists('migrations') ? readdirSync(path.join(project.dir, 'migrations')).filter((f) => f.endsWith('.up.sql')) : [])
  const stage: Stage = {
    dialect,
    expect,
    t,
    db,
    project,
    target: (sql) => void project.write('schema.sql', `${witnessDdl(t)}\n${sql}`),
    config: (extra = {}) =>
      void project.write('migrator.config.json', `${JSON.stringify({ url: db.url, dir: './migrations', target: './schema.sql', ...extra }, null, 2)}\n`),
    async cli(...args) {
      const result = await project.run(args, { DATABASE_URL: db.url })
      transcript.push(`$ migrator ${args.join(' ')}\n→ exit ${result.code}\nstdout: ${clip(result.stdout)}\nstderr: ${clip(result.stderr)}`)
      return result
    },
    async diff(slug, ...flags) {
      const before = upFiles()
      const result = await stage.cli('diff', slug, ...flags)
      const written = [...upFiles()].filter((f) => !before.has(f)).sort()
      if (result.code !== 0 || written.length === 0) {
        throw new Error(`migrator diff ${slug} must write a migration (exit 0), got exit ${result.code} and ${written.length} new up files\n${stage.context()}`)
      }
      return written.map((f) => project.read(path.join('migrations', f)))
    },
    async handWritten(version, slug, up, down) {
      project.write(`migrations/${version}_${slug}.up.sql`, up)
      project.write(`migrations/${version}_${slug}.down.sql`, down)
      await writeSum(path.join(project.dir, 'migrations'))
    },
    async applied() {
      if ((await db.columns('migrator_history')).length === 0) return []
      const rows = await db.select("SELECT version FROM migrator_history WHERE status = 'applied' ORDER BY version")
      return rows.map((row) => String(row[0]))
    },
    versions: () => [...upFiles()].map((file) => file.slice(0, 14)).sort(),
    context: () => `[${dialect}] ${scenario}\n${transcript.join('\n\n') || '(no CLI call yet)'}`,
    async dispose() {
      try {
        await db.dispose()
      } finally {
        project.remove()
      }
    },
  }
  try {
    await db.exec(witnessDdl(t))
    await db.insert('witness', WITNESS_ROWS)
    if (options.bare !== true) stage.config()
  } catch (error) {
    await stage.dispose()
    throw error
  }
  return stage
}
