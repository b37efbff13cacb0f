import { createHash } from 'node:crypto'
import type { Db } from '../db.js'
import type { Driver } from '../dialects/dialect.js'
import { schemaFingerprint } from '../safety/fingerprint.js'
import { canonical } from '../schema/equal.js'
import type { Schema } from '../schema/model.js'
import type { HistoryRow } from './history.js'

/**
 * Schema snapshots: the companion table `<historyTable>_snapshots` records, next to the history, the
 * schema the applied migrations produce, so that `status` computes drift by inspecting the live
 * database once instead of replaying every migration on a scratch database.
 *
 * A snapshot is keyed by its history key: a hash of the dialect, the server version, the tool
 * version, the inspected schemas and every applied row (version and checksum). It says "these
 * applied migrations produce this schema", which is what a replay computes, so it stays true
 * whatever happens later: `down` returns to an earlier key, `repair` that realigns a checksum or a
 * hand-edited history moves to a key without a snapshot (and `status` replays), `restore` brings
 * the table back with the history it belongs to. A failed or interrupted row is never in a key, and
 * no snapshot is written with one (src/runner/run.ts).
 */

/** How many snapshots the table keeps (the newest): enough for `down` a few runs back. */
export const SNAPSHOTS_KEPT = 20

/** The companion table of a history table. */
export function snapshotTableName(historyTable: string): string {
  return `${historyTable}_snapshots`
}

/** migrator's own tables next to a history table: never part of an inspected schema. */
export function ownTables(historyTable: string): string[] {
  return [historyTable, snapshotTableName(historyTable)]
}

/** What a history key is computed from, besides the rows. */
export interface KeyScope {
  readonly driver: Pick<Driver, 'dialect' | 'serverVersion'>
  /** The inspected schemas (config `schemas`): a snapshot of other schemas compares nothing. */
  readonly schemas?: readonly string[]
  readonly toolVersion: string
}

/**
 * The history key of the `applied` rows among `rows` (failed and interrupted rows do not count: the
 * migrations they belong to are not applied). Undefined when `rows` has none.
 */
export function historyKey(scope: KeyScope, rows: readonly HistoryRow[]): string | undefined {
  const applied = rows.filter((r) => r.status === 'applied').sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0))
  if (applied.length === 0) return undefined
  const hash = createHash('sha256')
  hash.update(`${scope.driver.dialect}\n${scope.driver.serverVersion}\n${scope.toolVersion}\n${JSON.stringify(scope.schemas ?? null)}\n`)
  for (const row of applied) hash.update(`${row.version} ${row.checksum}\n`)
  return `sha256:${hash.digest('hex')}`
}

/** A stored snapshot. */
export interface Snapshot {
  readonly key: string
  /** The newest applied version when it was recorded. */
  readonly version: string
  readonly schema: Schema
}

const MISSING_TABLE = /no such table|does not exist|doesn't exist|undefined table|unknown table/i

/** The snapshot table, through the driver (DDL from Driver.snapshotTableDdl, values as parameters). */
export class SnapshotStore {
  readonly tableName: string

  constructor(
    private readonly driver: Driver,
    historyTable: string,
  ) {
    this.tableName = snapshotTableName(historyTable)
  }

  /** Creates the table when missing; called only by a run about to record a migration. */
  async ensure(): Promise<void> {
    await this.driver.db.exec(this.driver.snapshotTableDdl(this.tableName))
  }

  /** Drops the table (a run that created the history table and recorded nothing). */
  async drop(): Promise<void> {
    await this.driver.db.exec(`DROP TABLE IF EXISTS ${this.q(this.tableName)}`)
  }

  /**
   * The snapshot recorded for `key`; undefined when there is none, the table does not exist, or
   * the stored text does not match its fingerprint (a hand-edited row is not trusted). `live`: a
   * schema just inspected; when it has the recorded fingerprint it is returned as the snapshot's
   * schema (equal up to the orders a fingerprint leaves out, which no comparison looks at) without
   * parsing the stored text: `status` on an undrifted database then neither parses nor diffs.
   */
  async find(key: string, db: Db = this.driver.db, live?: Schema): Promise<Snapshot | undefined> {
    let rows: Record<string, unknown>[]
    try {
      rows = await db.query(`SELECT ${this.q('version')}, ${this.q('fingerprint')}, ${this.q('schema_json')} FROM ${this.q(this.tableName)} WHERE ${this.q('history_key')} = ?`, [key])
    } catch (error) {
      if (error instanceof Error && MISSING_TABLE.test(error.message)) return undefined
      throw error
    }
    const row = rows[0]
    if (row === undefined) return undefined
    if (live !== undefined && schemaFingerprint(live) === String(row['fingerprint'])) return { key, version: String(row['version']), schema: live }
    let schema: Schema
    try {
      schema = JSON.parse(String(row['schema_json'])) as Schema
    } catch {
      return undefined
    }
    if (schemaFingerprint(schema) !== String(row['fingerprint'])) return undefined
    return { key, version: String(row['version']), schema }
  }

  /**
   * Records `schema` under `key` through `db` (the transaction of the history row it belongs to,
   * where there is one) and forgets all but the newest SNAPSHOTS_KEPT snapshots.
   */
  async record(db: Db, snapshot: Snapshot): Promise<void> {
    const table = this.q(this.tableName)
    await db.exec(`DELETE FROM ${table} WHERE ${this.q('history_key')} = ?`, [snapshot.key])
    await db.exec(
      `INSERT INTO ${table} (${['history_key', 'version', 'fingerprint', 'schema_json', 'recorded_at'].map((c) => this.q(c)).join(', ')}) VALUES (?, ?, ?, ?, ?)`,
      [snapshot.key, snapshot.version, schemaFingerprint(snapshot.schema), canonical(snapshot.schema), new Date().toISOString()],
    )
    const keys = (await db.query(`SELECT ${this.q('history_key')} AS k FROM ${table} ORDER BY ${this.q('recorded_at')} DESC`)).map((r) => String(r['k']))
    for (const old of keys.slice(SNAPSHOTS_KEPT)) await db.exec(`DELETE FROM ${table} WHERE ${this.q('history_key')} = ?`, [old])
  }

  private q(name: string): string {
    return this.driver.quoteIdent(name)
  }
}
