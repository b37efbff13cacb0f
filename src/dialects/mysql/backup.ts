import { spawn } from 'node:child_process'
import { createReadStream } from 'node:fs'
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { DatabaseUrl } from '../../config/url.js'
import { redactSecrets } from '../../config/url.js'
import { MigratorError } from '../../errors.js'
import { connect } from './connect.js'
import { readDump, type DumpContents } from './dump.js'
import type { Flavor } from './flavor.js'
import { quoteIdent } from './quote.js'

/**
 * `mysqldump --single-transaction --routines --triggers` of the URL's database to `dest` (a
 * consistent InnoDB snapshot without locking writers), then verified: the file must end with the
 * tool's `-- Dump completed` line and create every table and view the database has. The password
 * reaches the tool in a private option file (`--defaults-extra-file`, mode 0600, deleted after),
 * never on its command line or in the environment. MariaDB servers prefer `mariadb-dump`, MySQL
 * servers `mysqldump`; either works when only the other is installed.
 */
export async function backupMysql(url: DatabaseUrl, flavor: Flavor, dest: string): Promise<void> {
  await dump(url, flavor, dest, 'backup')
  const contents = await readDump(dest)
  const live = await liveObjects(url)
  const missing = [...live.tables.filter((t) => !contents.tables.has(t)), ...live.views.filter((v) => !contents.views.has(v))]
  if (!contents.complete || missing.length > 0) {
    const why = !contents.complete ? 'it does not end with the "-- Dump completed" line' : `${missing.map(quoteIdent).join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing from it`
    throw new MigratorError('backup', `the backup ${dest} is not complete: ${why}; do not rely on it — take another backup`)
  }
}

/**
 * Replaces the database with a `backup` dump, exactly: the dump is read first (it must be a
 * complete mysqldump/mariadb-dump file: nothing changes otherwise), then, in one client session,
 * every table, view, routine and event of the database is dropped, so nothing created after the
 * backup survives, and the dump recreates what it holds, with its rows. MySQL DDL is not
 * transactional: a statement failing midway leaves the database partly restored (the client
 * stops at the first error, and the error says so). Then verified: the same tables and views, as
 * many rows per table as the dump holds, and a `--no-data` dump of the database equal to the
 * dump's own statements.
 */
export async function restoreMysql(url: DatabaseUrl, flavor: Flavor, file: string): Promise<void> {
  await assertDump(file)
  const contents = await readDump(file)
  if (!contents.complete) {
    throw new MigratorError('restore', `${file} is not complete (it does not end with the "-- Dump completed" line: it was cut short); nothing was restored`)
  }
  const tools = flavor.mariadb ? ['mariadb', 'mysql'] : ['mysql', 'mariadb']
  const preamble = dropEverything(await liveObjects(url))
  try {
    await withOptionFile(url, (optionFile) =>
      runFirst(tools, () => [`--defaults-extra-file=${optionFile}`, ...connectionArgs(url), '--default-character-set=utf8mb4', '--batch', '--', url.database ?? ''], { preamble, file }, 'restore', url),
    )
  } catch (error) {
    if (!(error instanceof MigratorError) || /not found on PATH/.test(error.message)) throw error
    throw new MigratorError('restore', `${error.message}; the database is partly restored: fix the cause and restore again`, { cause: error })
  }
  await verifyRestore(url, flavor, file, contents)
}

/** The restored database must match the dump: its tables and views, rows per table, and its statements. */
async function verifyRestore(url: DatabaseUrl, flavor: Flavor, file: string, expected: DumpContents): Promise<void> {
  const problems: string[] = []
  const live = await liveObjects(url, [...expected.tables.keys()])
  const names = (list: Iterable<string>): string => [...list].sort().map(quoteIdent).join(', ')
  if (names(live.tables) !== names(expected.tables.keys())) problems.push(`it has the tables ${names(live.tables) || '(none)'}, the backup ${names(expected.tables.keys()) || '(none)'}`)
  if (names(live.views) !== names(expected.views)) problems.push(`it has the views ${names(live.views) || '(none)'}, the backup ${names(expected.views) || '(none)'}`)
  for (const [table, rows] of expected.tables) {
    const actual = live.rows.get(table)
    if (actual !== undefined && actual !== rows) problems.push(`${quoteIdent(table)} has ${actual} rows, the backup ${rows}`)
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'migrator-verify-'))
  try {
    const schemaFile = path.join(dir, 'schema.sql')
    await dump(url, flavor, schemaFile, 'restore', ['--no-data'])
    const schema = (await readDump(schemaFile)).schema
    if (schema !== expected.schema) problems.push(`its schema differs from the backup's (first difference: ${firstDifference(schema, expected.schema)})`)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
  if (problems.length > 0) {
    throw new MigratorError('restore', `restored ${url.redacted} from ${file}, but the result does not match the backup: ${problems.slice(0, 5).join('; ')}; restore again, or check the database`)
  }
}

/** mysqldump/mariadb-dump of the URL's database to `dest`, with `extra` options. */
async function dump(url: DatabaseUrl, flavor: Flavor, dest: string, code: 'backup' | 'restore', extra: readonly string[] = []): Promise<void> {
  const tools = flavor.mariadb ? ['mariadb-dump', 'mysqldump'] : ['mysqldump', 'mariadb-dump']
  const args = [
    '--single-transaction',
    '--routines',
    '--triggers',
    '--events',
    '--hex-blob',
    '--no-tablespaces',
    '--default-character-set=utf8mb4',
    ...extra,
    `--result-file=${dest}`,
  ]
  await withOptionFile(url, (optionFile) => runFirst(tools, (tool) => [`--defaults-extra-file=${optionFile}`, ...connectionArgs(url), ...gtidArgs(tool, flavor), ...args, '--', url.database ?? ''], undefined, code, url))
}

/** The database's objects, read on a connection of its own; with `count`, rows of those tables that exist. */
async function liveObjects(
  url: DatabaseUrl,
  count: readonly string[] = [],
): Promise<{ tables: string[]; views: string[]; sequences: string[]; routines: { name: string; kind: string }[]; events: string[]; rows: Map<string, number> }> {
  const { db, close } = await connect(url)
  try {
    const objects = await db.query<{ name: string; type: string }>(
      'SELECT TABLE_NAME AS name, TABLE_TYPE AS type FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()',
    )
    const routines = await db.query<{ name: string; kind: string }>(
      'SELECT ROUTINE_NAME AS name, ROUTINE_TYPE AS kind FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()',
    )
    const events = await db.query<{ name: string }>('SELECT EVENT_NAME AS name FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE()')
    const tables = objects.filter((o) => o.type !== 'VIEW' && o.type !== 'SEQUENCE').map((o) => o.name)
    const rows = new Map<string, number>()
    for (const table of count.filter((t) => tables.includes(t))) {
      const result = await db.query<{ n: number | string }>(`SELECT count(*) AS n FROM ${quoteIdent(table)}`)
      rows.set(table, Number(result[0]?.n ?? -1))
    }
    const ofType = (type: string): string[] => objects.filter((o) => o.type === type).map((o) => o.name)
    return { tables, views: ofType('VIEW'), sequences: ofType('SEQUENCE'), routines, events: events.map((e) => e.name), rows }
  } finally {
    await close()
  }
}

/** Statements that empty the database of what a dump recreates: views, tables (triggers with them), sequences, routines, events. */
function dropEverything(live: Awaited<ReturnType<typeof liveObjects>>): string {
  return [
    'SET FOREIGN_KEY_CHECKS = 0;',
    ...live.views.map((v) => `DROP VIEW IF EXISTS ${quoteIdent(v)};`),
    ...live.tables.map((t) => `DROP TABLE IF EXISTS ${quoteIdent(t)};`),
    ...live.sequences.map((t) => `DROP SEQUENCE IF EXISTS ${quoteIdent(t)};`),
    ...live.routines.map((r) => `DROP ${r.kind === 'FUNCTION' ? 'FUNCTION' : 'PROCEDURE'} IF EXISTS ${quoteIdent(r.name)};`),
    ...live.events.map((e) => `DROP EVENT IF EXISTS ${quoteIdent(e)};`),
    'SET FOREIGN_KEY_CHECKS = 1;',
    '',
  ].join('\n')
}

function firstDifference(a: string, b: string): string {
  const left = a.split('\n')
  const right = b.split('\n')
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    if (left[i] !== right[i]) return `database: ${JSON.stringify((left[i] ?? '(end)').slice(0, 100))}, backup: ${JSON.stringify((right[i] ?? '(end)').slice(0, 100))}`
  }
  return 'none'
}

/** A dump written by mysqldump/mariadb-dump starts with its banner comment. */
async function assertDump(file: string): Promise<void> {
  const handle = await open(file, 'r')
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(200), 0, 200, 0)
    const head = buffer.subarray(0, bytesRead).toString('utf8')
    if (!/^(\/\*[^\n]*\*\/\s*)?-- (MySQL|MariaDB) dump/.test(head)) {
      throw new MigratorError('restore', `${file} is not a mysqldump/mariadb-dump file written by \`migrator backup\`; nothing was restored`)
    }
  } finally {
    await handle.close()
  }
}

function connectionArgs(url: DatabaseUrl): string[] {
  const args = [`--host=${url.host ?? '127.0.0.1'}`, `--port=${url.port ?? 3306}`, `--user=${url.user ?? 'root'}`]
  // TCP even for localhost: the client would otherwise look for a socket file the server may not use.
  args.push('--protocol=TCP')
  return args
}

/** MySQL's mysqldump writes SET @@GLOBAL.GTID_PURGED by default, which a restore cannot replay on a server with GTIDs of its own. */
function gtidArgs(tool: string, flavor: Flavor): string[] {
  return tool === 'mysqldump' && !flavor.mariadb ? ['--set-gtid-purged=OFF'] : []
}

/** Writes the password into a private option file for the duration of `fn`. */
async function withOptionFile<T>(url: DatabaseUrl, fn: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'migrator-mysql-'))
  const file = path.join(dir, 'client.cnf')
  try {
    const password = (url.password ?? '').replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
    await writeFile(file, `[client]\npassword="${password}"\n`, { mode: 0o600 })
    return await fn(file)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** Runs the first of `tools` that exists on PATH; all missing is the "install the client" error. */
async function runFirst(tools: readonly string[], args: (tool: string) => string[], stdin: Input | undefined, code: 'backup' | 'restore', url: DatabaseUrl): Promise<void> {
  for (const tool of tools) {
    const started = await runTool(tool, args(tool), stdin, code, url)
    if (started) return
  }
  throw new MigratorError(
    code,
    `${tools[0]} not found on PATH (nor ${tools.slice(1).join(', ')}): install the MySQL/MariaDB client tools (Debian/Ubuntu mariadb-client or mysql-client); nothing was run`,
  )
}

/** What a client reads: `preamble`, then the file. */
interface Input {
  readonly preamble: string
  readonly file: string
}

/** Runs one tool to completion. Resolves false when it does not exist; throws when it fails. */
function runTool(tool: string, args: readonly string[], stdin: Input | undefined, code: 'backup' | 'restore', url: DatabaseUrl): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { stdio: [stdin === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000)
    })
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') resolve(false)
      else reject(new MigratorError(code, `${tool} could not start: ${error.message}; nothing was run`, { cause: error }))
    })
    if (stdin !== undefined && child.stdin !== null) {
      const input = createReadStream(stdin.file)
      input.on('error', (error) => child.kill() && reject(new MigratorError(code, `cannot read ${stdin.file}: ${error.message}`, { cause: error })))
      // The client exiting early (an SQL error) closes its stdin; the exit status reports it.
      child.stdin.on('error', () => undefined)
      child.stdin.write(stdin.preamble)
      input.pipe(child.stdin)
    }
    child.on('close', (status) => {
      if (status === 0) resolve(true)
      else if (status !== null) reject(new MigratorError(code, `${tool} failed (exit ${status}): ${redactSecrets(stderr.trim(), url) || 'no message'}`))
    })
  })
}
