import type { Db } from '../db.js'
import type { Driver, InspectOptions } from '../dialects/dialect.js'
import type { MigrationFile } from '../migrations/file.js'
import { diffSchemas } from '../schema/diff.js'
import { qualifiedName, type Schema, type Table } from '../schema/model.js'
import { changeFingerprint, schemaFingerprint } from './fingerprint.js'

/** The names built-in checks carry in events, errors and docs. */
export const SCHEMA_CHECK = 'schema-as-expected'
export const ROWS_CHECK = 'no-rows-lost'

/** A built-in check that did not hold; the runner turns it into a rolled-back migration. */
export class BuiltinCheckFailure extends Error {
  constructor(
    readonly check: typeof SCHEMA_CHECK | typeof ROWS_CHECK,
    message: string,
  ) {
    super(`built-in check ${check} failed: ${message}`)
  }
}

export interface BuiltinCheckOptions {
  readonly inspect: InspectOptions
  /**
   * The schema the migration was generated to produce, for showing what differs when the
   * fingerprint does not match (undefined when it cannot be reconstructed).
   */
  readonly expectedSchema?: (file: MigrationFile) => Promise<Schema | undefined>
  /** Told which built-in checks passed. */
  readonly passed?: (check: string) => void
  /**
   * Names of the tables that existed when the run started. A SQL file naming none of them cannot
   * lose their rows, so without an expect-schema line it needs no inspection at all (the cost of
   * `up` stays a few round trips per migration). Tables created earlier in the same run are not
   * row-checked.
   */
  readonly knownTables?: ReadonlySet<string>
  /** Only the scoped schema-as-expected check (`expect-schema <before> -> <after>`); none of the others. */
  readonly onlyChanges?: boolean
}

/**
 * Starts the built-in post-checks of one migration on `db` (its transaction, or the connection):
 * inspects and counts rows before the statements run, and returns the function that verifies
 * after them. "schema-as-expected" runs when the file carries `-- migrator:expect-schema`: the
 * parts of the schema the statements changed must have been, before them, what they were where
 * `diff` generated the file, and must now be what `diff` wanted (the scoped form), or the whole
 * schema must match (the older form);
 * "no-rows-lost" unless it says `-- migrator:allow-row-change`, for every table that existed
 * before, is named in the up file (modules: every table) and is altered, not dropped.
 * The returned function throws BuiltinCheckFailure.
 */
export async function beginBuiltinChecks(driver: Driver, db: Db, file: MigrationFile, options: BuiltinCheckOptions): Promise<() => Promise<void>> {
  const only = options.onlyChanges === true
  const expect = only ? undefined : file.directives.expectSchema
  const expectChanges = file.directives.expectChanges
  const countRows = !only && file.directives.allowRowChange !== true
  if (expect === undefined && expectChanges === undefined && !countRows) return async () => {}
  const known = options.knownTables
  if (expect === undefined && expectChanges === undefined && known !== undefined && file.format === 'sql' && ![...known].some((name) => mentions(file.up, name))) return async () => {}
  // Inside a transaction the schema must be read through it: PostgreSQL sees its own uncommitted
  // DDL only there.
  const inspectOptions: InspectOptions = { ...options.inspect, db }
  const inspect = (): Promise<Schema> => driver.inspect(inspectOptions)
  const before = countRows || expectChanges !== undefined ? await inspect() : undefined
  const candidates = before === undefined || !countRows ? [] : before.tables.filter((t) => file.format === 'module' || mentions(file.up, t.name))
  const counts = new Map<string, number>()
  for (const table of candidates) counts.set(qualifiedName(table), await rowCount(driver, db, table))

  return async () => {
    const after = await inspect()
    if (expect !== undefined) {
      const actual = schemaFingerprint(after, driver.capabilities)
      // Files written before fingerprints took definitions in the dialect's comparison form
      // carry the exact form; both mean the schema the file was generated for.
      if (actual !== expect && schemaFingerprint(after) !== expect) throw new BuiltinCheckFailure(SCHEMA_CHECK, await describeMismatch(driver, file, after, expect, actual, options))
      options.passed?.(SCHEMA_CHECK)
    }
    if (expectChanges !== undefined && before !== undefined) {
      const actual = changeFingerprint(before, after, driver.capabilities)
      if (actual.before !== expectChanges.before || actual.after !== expectChanges.after) throw new BuiltinCheckFailure(SCHEMA_CHECK, changeMismatch(file, actual, expectChanges))
      options.passed?.(SCHEMA_CHECK)
    }
    if (before !== undefined && counts.size > 0) {
      const { changes } = diffSchemas(before, after, { capabilities: driver.capabilities })
      const lost: string[] = []
      for (const change of changes) {
        const pair = change.kind === 'alterTable' || change.kind === 'renameTable' ? { from: change.from, to: change.to } : undefined
        if (pair === undefined) continue
        const was = counts.get(qualifiedName(pair.from))
        if (was === undefined) continue
        const now = await rowCount(driver, db, pair.to)
        // Fewer rows is what this check is about; more may be other sessions inserting meanwhile.
        if (now < was) lost.push(`${qualifiedName(pair.to)} had ${was} row${was === 1 ? '' : 's'} before and ${now} after`)
      }
      if (lost.length > 0) {
        throw new BuiltinCheckFailure(
          ROWS_CHECK,
          `${lost.join('; ')}; if the migration changes rows on purpose, add \`-- migrator:allow-row-change\` to its directive block`,
        )
      }
      options.passed?.(ROWS_CHECK)
    }
  }
}

/**
 * The scoped check failed: either what the file changed was not as `diff` saw it before it ran
 * (another migration, typically merged from another branch, changed the same parts: a conflict),
 * or it changed different parts (drift, or an edited file).
 */
function changeMismatch(file: MigrationFile, actual: ReturnType<typeof changeFingerprint>, expected: { readonly before: string; readonly after: string }): string {
  const parts = actual.parts.length === 0 ? 'nothing' : actual.parts.slice(0, 8).join(', ') + (actual.parts.length > 8 ? ', …' : '')
  const why =
    actual.after === expected.after
      ? 'those parts were already different before it ran than where it was generated: another migration before it changes them too (a conflict, e.g. two branches changing the same column)'
      : 'that is not the change it was generated for: the database drifted in what it touches (see `migrator status`), another migration before it changes the same parts (a conflict, e.g. two branches changing the same column), or the file was edited after `migrator diff` wrote it'
  return (
    `${file.upFile} changed ${parts}, but ${why} — ` +
    'regenerate it on top of the migrations before it (delete it, run `migrator up` on a development database and `migrator diff` again), or, if the edit is intended, remove its `-- migrator:expect-schema` line and run `migrator hash`'
  )
}

async function describeMismatch(driver: Driver, file: MigrationFile, actual: Schema, expect: string, got: string, options: BuiltinCheckOptions): Promise<string> {
  const head = `the schema after ${file.upFile} is not the one it was generated for (expected ${expect.slice(0, 19)}…, got ${got.slice(0, 19)}…)`
  const expected = await options.expectedSchema?.(file).catch(() => undefined)
  if (expected === undefined || (schemaFingerprint(expected, driver.capabilities) !== expect && schemaFingerprint(expected) !== expect)) {
    return `${head}; the database differs from what the migrations before it produce (drift: see \`migrator status\`), or the file was edited after \`migrator diff\` wrote it — if the edit is intended, remove its \`-- migrator:expect-schema\` line and run \`migrator hash\``
  }
  const { changes } = diffSchemas(actual, expected, { capabilities: driver.capabilities })
  const steps = driver.plan(changes, { current: actual, desired: expected }).statements.map((s) => s.comment)
  return `${head}; to match, the database would still need: ${steps.length === 0 ? '(details the differ does not compare)' : steps.join('; ')}`
}

async function rowCount(driver: Driver, db: Db, table: Table): Promise<number> {
  const name = table.schema === undefined ? driver.quoteIdent(table.name) : `${driver.quoteIdent(table.schema)}.${driver.quoteIdent(table.name)}`
  const rows = await db.query<Record<string, unknown>>(`SELECT count(*) AS n FROM ${name}`)
  return Number(Object.values(rows[0] ?? {})[0] ?? 0)
}

/** Whether `sql` names `table` as a word (quoted or not); a cheap filter that keeps counting to the tables a file touches. */
function mentions(sql: string, table: string): boolean {
  const escaped = table.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new RegExp(`(^|[^A-Za-z0-9_$])${escaped}($|[^A-Za-z0-9_$])`, 'i').test(sql)
}
