import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { expect } from 'vitest'
import { diff, type DiffOutcome } from '../../../src/api/diff.js'
import { inspect } from '../../../src/api/inspect.js'
import { down, up } from '../../../src/api/migrate.js'
import type { ResolvedConfig } from '../../../src/config/schema.js'
import { definitionKey } from '../../../src/dialects/sqlite/definition-key.js'
import type { Schema } from '../../../src/schema/model.js'
import { execSqlite } from '../../helpers/sqlite-dump.js'
import { runCli, type CliResult } from '../../cli/helpers.js'

/**
 * End-to-end round trips on a real SQLite file through the public API, the way a user runs them:
 * `diff` writes the migration, `up` applies it (post-checks on), a second `diff` must say no
 * changes, `down` must bring back the current structure, and every stored value survives both ways.
 */

/** Values that show any conversion: NULLs, unicode, long text, 64-bit bounds, reals, blobs. */
export const LONG_TEXT = `${'Ünïcødé ✓ 名前 '.repeat(400)}end`
export const MAX_INT = '9223372036854775807'
export const MIN_INT = '-9223372036854775808'

export interface Project {
  readonly config: ResolvedConfig
  readonly file: string
  /** Declares `sql` as the target schema. */
  target(sql: string): void
  /** Runs SQL on the database file directly (outside migrator). */
  exec(sql: string): void
  /** Every user table's rows, table names ASCII-folded, each row as its values in column order, sorted. */
  rows(): Record<string, string[]>
  /** The live schema as `migrator inspect` reads it. */
  schema(): Promise<Schema>
  /** `PRAGMA foreign_key_check` on the file: the rows whose parent is missing. */
  foreignKeyViolations(): unknown[]
  /** Runs the built CLI (`bin/migrator`) in the project directory, configured like `config`. */
  cli(args: readonly string[]): Promise<CliResult>
  /** The stored CREATE text of one schema entry. */
  sqlOf(name: string): string | undefined
  remove(): void
}

export function project(prefix: string): Project {
  const dir = mkdtempSync(path.join(os.tmpdir(), `migrator-fidelity-${prefix}-`))
  const file = path.join(dir, 'app.db')
  const config: ResolvedConfig = {
    cwd: dir, url: `sqlite:${file}`, dir: path.join(dir, 'migrations'), target: path.join(dir, 'schema.sql'),
    schemas: ['public'], historyTable: 'migrator_history', lockTimeoutMs: 5000, lockWaitMs: 5000,
  }
  writeFileSync(path.join(dir, 'migrator.config.ts'), `export default { url: 'sqlite:./app.db', dir: './migrations', target: './schema.sql' }\n`)
  const open = () => new Database(file, { readonly: true, fileMustExist: true })
  return {
    config,
    file,
    target: (sql) => writeFileSync(config.target!, sql),
    exec: (sql) => execSqlite(file, sql),
    rows() {
      const db = open()
      try {
        const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT IN ('migrator_history', 'migrator_history_snapshots') ORDER BY lower(name)").all() as { name: string }[]
        return Object.fromEntries(
          tables.map((t) => {
            const rows = db.prepare(`SELECT * FROM "${t.name.replace(/"/g, '""')}"`).safeIntegers(true).raw(true).all() as unknown[][]
            return [t.name.toLowerCase(), rows.map((r) => r.map(showValue).join(' | ')).sort()]
          }),
        )
      } finally {
        db.close()
      }
    },
    async schema() {
      return (await inspect(config, 'json')).schema
    },
    foreignKeyViolations() {
      const db = open()
      try {
        return db.prepare('PRAGMA foreign_key_check').all()
      } finally {
        db.close()
      }
    },
    cli: (args) => runCli(args, { cwd: dir }),
    sqlOf(name) {
      const db = open()
      try {
        return (db.prepare('SELECT sql FROM sqlite_schema WHERE name = ?').get(name) as { sql: string } | undefined)?.sql
      } finally {
        db.close()
      }
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}

/** A value as text that keeps its storage class: `int:1`, `real:0.5`, `text:'a'`, `blob:00ff`, `null`. */
function showValue(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'bigint') return `int:${value}`
  if (typeof value === 'number') return `real:${value}`
  if (typeof value === 'string') return `text:${JSON.stringify(value)}`
  if (Buffer.isBuffer(value)) return `blob:${value.toString('hex')}`
  return `other:${String(value)}`
}

export interface RoundTrip {
  /** The migration `diff` wrote from current to desired. */
  readonly forward: DiffOutcome
}

/**
 * current → desired (apply) → second diff says no changes → down back to current, with the seeded
 * rows compared after each step (rows must be exactly those of `expectRows`, by default the seed).
 * The current schema is created by a first generated migration, then `seed` runs on the file.
 */
export async function roundTrip(
  p: Project,
  options: { current: string; seed: string; desired: string; expectRows?: (before: Record<string, string[]>) => Record<string, string[]> },
): Promise<RoundTrip> {
  p.target(options.current)
  await applyTarget(p, 'current')
  p.exec(options.seed)
  const rowsBefore = p.rows()
  const schemaBefore = await p.schema()

  p.target(options.desired)
  const forward = await applyTarget(p, 'desired')
  expect(p.rows(), 'rows after up').toEqual(options.expectRows?.(rowsBefore) ?? rowsBefore)
  expect(p.foreignKeyViolations(), 'foreign_key_check after up').toEqual([])

  const reverted = await down(p.config)
  expect(reverted.error, `down: ${reverted.error?.message}`).toBeUndefined()
  expect(comparable(await p.schema()), 'schema after down').toEqual(comparable(schemaBefore))
  expect(p.rows(), 'rows after down').toEqual(rowsBefore)
  expect(p.foreignKeyViolations(), 'foreign_key_check after down').toEqual([])
  return { forward }
}

/**
 * A schema with view and trigger texts in SQLite's comparison form: a RENAME (the case-only rename
 * and its reverse included) rewrites the identifiers of the views and triggers that mention the
 * renamed name, quoted (`ON USERS` becomes `ON "USERS"`); SQLite reads both the same.
 */
export function comparable(schema: Schema): Schema {
  return {
    tables: schema.tables,
    views: schema.views.map((v) => ({ ...v, definition: definitionKey(v.definition) })),
    objects: schema.objects.map((o) => ({ ...o, definition: definitionKey(o.definition) })),
  }
}

/** Generates a migration to the declared target, applies it and checks that a second diff is empty. */
export async function applyTarget(p: Project, name: string): Promise<DiffOutcome> {
  const outcome = await diff(p.config, { name })
  expect(outcome.written, `${name}: diff wrote files`).toBeDefined()
  const result = await up(p.config)
  expect(result.error, `${name}: ${result.error?.message}`).toBeUndefined()
  const again = await diff(p.config, { dryRun: true })
  expect(again.changes, `${name}: second diff says no changes`).toEqual([])
  return outcome
}

/** `migrator diff` on the command line: exit 0, `No changes`, no file written. */
export async function expectNoChangesCli(p: Project): Promise<void> {
  const result = await p.cli(['diff'])
  expect(result.stderr).toBe('')
  expect(result.code).toBe(0)
  expect(result.stdout.trim()).toBe('No changes')
}
