import type { Db } from '../../db.js'
import type { ActivityOptions, SessionActivity } from '../dialect.js'

/** Where metadata locks can be read on this server. */
export type MdlSource = 'metadata_lock_info' | 'performance_schema' | 'none'

interface MdlRow {
  readonly id: number | string
  readonly tbl: string
  readonly pending: number | string
}

interface TrxRow {
  readonly id: number | string
  readonly age_ms: number | string | null
}

interface ProcessRow {
  readonly id: number | string
  readonly command: string
  readonly time: number | string | null
  readonly info: string | null
}

/**
 * Finds where metadata locks are listed: MariaDB's METADATA_LOCK_INFO plugin
 * (information_schema), else performance_schema.metadata_locks with its instrument enabled
 * (MySQL 8 default), else nowhere.
 */
export async function mdlSource(db: Db): Promise<MdlSource> {
  try {
    await db.query('SELECT THREAD_ID FROM information_schema.METADATA_LOCK_INFO LIMIT 0')
    return 'metadata_lock_info'
  } catch {
    // The plugin is not installed.
  }
  try {
    const rows = await db.query<{ enabled: string }>("SELECT ENABLED AS enabled FROM performance_schema.setup_instruments WHERE NAME = 'wait/lock/metadata/sql/mdl'")
    if (rows[0]?.enabled === 'YES') return 'performance_schema'
  } catch {
    // performance_schema is off (MariaDB's default).
  }
  return 'none'
}

/**
 * Sessions that hold or wait for metadata locks on `tables` of `database` (when the server lists
 * metadata locks), plus those with an InnoDB transaction or a statement running for at least
 * `longTransactionMs` (information_schema.INNODB_TRX, PROCESSLIST). Without a metadata lock
 * source, those long-running sessions come back with `tables` undefined: they may hold a lock
 * the migration's ALTER would queue behind. Our own connection is left out.
 *
 * INNODB_TRX needs the PROCESS privilege. Without it (error 1227) that part is skipped: open
 * transactions are then seen only through statements running in PROCESSLIST, which itself shows
 * only this user's sessions; `options.warn` is told, naming the privilege and the `preCheck: false`
 * switch. The run goes on.
 */
export async function blockingActivity(db: Db, database: string, source: MdlSource, tables: readonly string[], options: ActivityOptions): Promise<readonly SessionActivity[]> {
  const names = [...new Set(tables)]
  const mdl = names.length === 0 || source === 'none' ? [] : await metadataLocks(db, source, database, names)
  const trx = await openTransactions(db, options)
  const processes = await db.query<ProcessRow>(
    `SELECT ID AS id, COMMAND AS command, TIME AS time, LEFT(coalesce(INFO, ''), 300) AS info
       FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND (DB = ? OR DB IS NULL)`,
    [database],
  )
  const ages = new Map(trx.map((t) => [Number(t.id), Math.round(Number(t.age_ms ?? 0))]))
  const locks = new Map<number, { tables: Set<string>; waiting: boolean }>()
  for (const row of mdl) {
    const entry = locks.get(Number(row.id)) ?? { tables: new Set<string>(), waiting: false }
    entry.tables.add(row.tbl)
    entry.waiting ||= Number(row.pending) === 1
    locks.set(Number(row.id), entry)
  }
  const out: SessionActivity[] = []
  for (const p of processes) {
    const id = Number(p.id)
    if (p.command === 'Daemon' || p.command === 'Binlog Dump') continue
    const lock = locks.get(id)
    // A statement running this long (autocommit SELECTs have no InnoDB transaction) holds its locks as long.
    const running = p.command === 'Query' ? Number(p.time ?? 0) * 1000 : undefined
    const age = ages.get(id) ?? running
    const long = age !== undefined && age >= options.longTransactionMs
    if (lock === undefined && !long) continue
    out.push({
      pid: id,
      query: (p.info ?? '').replace(/\s+/g, ' ').trim(),
      state: p.command,
      ...(age === undefined ? {} : { transactionAgeMs: age }),
      ...(source === 'none' ? {} : { tables: [...(lock?.tables ?? [])].sort() }),
      waiting: lock?.waiting ?? false,
    })
  }
  return out.sort((a, b) => (b.transactionAgeMs ?? -1) - (a.transactionAgeMs ?? -1) || a.pid - b.pid)
}

/** Open InnoDB transactions of other sessions; none, with a warning, when the user may not see them. */
async function openTransactions(db: Db, options: ActivityOptions): Promise<TrxRow[]> {
  try {
    return await db.query<TrxRow>(
      `SELECT trx_mysql_thread_id AS id, TIMESTAMPDIFF(MICROSECOND, trx_started, NOW(6)) / 1000 AS age_ms
         FROM information_schema.INNODB_TRX WHERE trx_mysql_thread_id <> CONNECTION_ID()`,
    )
  } catch (error) {
    if (!lacksProcess(error)) throw error
    options.warn?.(
      'lock pre-check: open transactions of other sessions are not checked, because information_schema.INNODB_TRX needs the PROCESS privilege, ' +
        'which this database user lacks (and without it PROCESSLIST shows only its own sessions); grant it (GRANT PROCESS ON *.* TO <user>) ' +
        'or turn the pre-check off with `preCheck: false` in migrator.config.ts',
    )
    return []
  }
}

/** 1227 ER_SPECIFIC_ACCESS_DENIED_ERROR: "you need (at least one of) the PROCESS privilege(s)". */
function lacksProcess(error: unknown): boolean {
  const e = error as { errno?: unknown; code?: unknown } | null
  return e?.errno === 1227 || e?.code === 'ER_SPECIFIC_ACCESS_DENIED_ERROR'
}

async function metadataLocks(db: Db, source: Exclude<MdlSource, 'none'>, database: string, names: readonly string[]): Promise<MdlRow[]> {
  const list = names.map(() => '?').join(', ')
  if (source === 'metadata_lock_info') {
    // MariaDB's plugin lists granted locks only; THREAD_ID is the processlist id.
    return db.query<MdlRow>(
      `SELECT THREAD_ID AS id, TABLE_NAME AS tbl, 0 AS pending FROM information_schema.METADATA_LOCK_INFO
        WHERE TABLE_SCHEMA = ? AND TABLE_NAME IN (${list}) AND THREAD_ID <> CONNECTION_ID()`,
      [database, ...names],
    )
  }
  return db.query<MdlRow>(
    `SELECT t.PROCESSLIST_ID AS id, m.OBJECT_NAME AS tbl, m.LOCK_STATUS = 'PENDING' AS pending
       FROM performance_schema.metadata_locks m
       JOIN performance_schema.threads t ON t.THREAD_ID = m.OWNER_THREAD_ID
      WHERE m.OBJECT_TYPE = 'TABLE' AND m.OBJECT_SCHEMA = ? AND m.OBJECT_NAME IN (${list})
        AND t.PROCESSLIST_ID IS NOT NULL AND t.PROCESSLIST_ID <> CONNECTION_ID()`,
    [database, ...names],
  )
}
