/**
 * Copy benchmark (`npm run bench -- --only copy`): `migrator copy` of a table of `rows` rows
 * (default 1,000,000; --copy-rows N) from SQLite and from MariaDB/MySQL into PostgreSQL, next to
 * pgloader on the same data when it is installed (Debian package `pgloader`). Reports wall time,
 * rows/s and peak resident memory (GNU time's %M) of each process. migrator's time includes its
 * proof (counts and checksums on both sides), which is also timed alone (`--verify-only`).
 * Measurements only, never assertions.
 */
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import mysql from 'mysql2/promise'
import pg from 'pg'
import { ROOT } from './migrator.mjs'
import { run, uniqueName } from './util.mjs'

const PG = process.env.MIGRATOR_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const MYSQL = process.env.MIGRATOR_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/mysql'
const withDb = (url, name) => {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}
const has = (cmd) => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** The table both sources hold: a key, text, integers, a decimal, a timestamp and a boolean. */
const COLUMNS = 'id, email, n, amount, created_at, flag'

async function sqliteSource(file, rows) {
  await run('sqlite3', [file], {
    input:
      'CREATE TABLE items (id INTEGER PRIMARY KEY, email TEXT NOT NULL, n INTEGER NOT NULL, amount NUMERIC(10,2), created_at DATETIME, flag BOOLEAN);\n' +
      `WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < ${rows}) INSERT INTO items (${COLUMNS}) ` +
      "SELECT i, 'user' || i || '@example.com', i * 7, round(i / 3.0, 2), datetime(1700000000 + i, 'unixepoch'), i % 2 FROM g;\n",
  })
}

async function mysqlSource(conn, rows) {
  await conn.query('CREATE TABLE items (id bigint PRIMARY KEY, email varchar(255) NOT NULL, n bigint NOT NULL, amount decimal(10,2), created_at datetime, flag tinyint(1)) CHARACTER SET utf8mb4')
  for (let start = 1; start <= rows; start += 100_000) {
    const end = Math.min(rows, start + 99_999)
    await conn.query(
      `INSERT INTO items (${COLUMNS}) SELECT seq, CONCAT('user', seq, '@example.com'), seq * 7, ROUND(seq / 3, 2), FROM_UNIXTIME(1700000000 + seq), seq % 2 FROM seq_${start}_to_${end}`,
    )
  }
}

/**
 * Runs `cmd args` under GNU time: wall seconds, CPU seconds (user + system: what the process itself
 * spent, which a machine shared with other work inflates less than the wall time) and peak RSS.
 */
async function timed(cmd, args) {
  const { stderr } = await run('/usr/bin/time', ['-f', 'TIMED %e %U %S %M', cmd, ...args], { timeoutMs: 3_600_000 })
  const [, seconds, user, system, kib] = /TIMED ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(stderr) ?? []
  return { seconds: Number(seconds), cpuSeconds: Number(user) + Number(system), peakMiB: Number(kib) / 1024 }
}

export async function benchCopy({ rows = 1_000_000, tmp, log }) {
  const admin = new pg.Client({ connectionString: PG })
  await admin.connect()
  const my = await mysql.createConnection({ uri: MYSQL })
  const sourceDb = uniqueName('mbench_copy_src')
  const created = []
  const results = { rows, pgloader: has('pgloader') ? execFileSync('pgloader', ['--version'], { encoding: 'utf8' }).split('\n')[0] : undefined, cases: [] }
  const target = async () => {
    const name = uniqueName('mbench_copy_dst') + created.length
    await admin.query(`CREATE DATABASE "${name}"`)
    created.push(name)
    return name
  }
  try {
    const sqliteFile = path.join(tmp, 'copy-source.db')
    log(`copy: loading ${rows} rows into SQLite and MariaDB`)
    await sqliteSource(sqliteFile, rows)
    await my.query(`CREATE DATABASE \`${sourceDb}\``)
    await my.changeUser({ database: sourceDb })
    await mysqlSource(my, rows)
    const sources = [
      { label: 'SQLite → PostgreSQL', migrator: `sqlite:${sqliteFile}`, pgloader: `sqlite://${sqliteFile}` },
      { label: 'MariaDB → PostgreSQL', migrator: withDb(MYSQL, sourceDb), pgloader: withDb(MYSQL, sourceDb) },
    ]
    for (const source of sources) {
      const into = await target()
      log(`copy: migrator ${source.label}`)
      const copy = await timed(process.execPath, [path.join(ROOT, 'bin', 'migrator'), 'copy', '--from', source.migrator, '--to', withDb(PG, into), '--quiet'])
      const proof = await timed(process.execPath, [path.join(ROOT, 'bin', 'migrator'), 'copy', '--from', source.migrator, '--to', withDb(PG, into), '--verify-only', '--quiet'])
      results.cases.push({ label: `migrator copy, ${source.label} (copy + proof)`, ...copy })
      results.cases.push({ label: `migrator copy --verify-only, ${source.label} (proof alone)`, ...proof })
      if (results.pgloader === undefined) continue
      const loaded = await target()
      log(`copy: pgloader ${source.label}`)
      results.cases.push({ label: `pgloader, ${source.label}`, ...(await timed('pgloader', ['--quiet', source.pgloader, withDb(PG, loaded)])) })
    }
  } catch (error) {
    results.error = String(error.message ?? error)
    log(`copy: FAILED: ${results.error}`)
  } finally {
    for (const name of created) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined)
    await my.query(`DROP DATABASE IF EXISTS \`${sourceDb}\``).catch(() => undefined)
    await admin.end()
    await my.end()
  }
  return results
}

export function renderCopy(r) {
  const out = ['', `### copy: ${r.rows.toLocaleString('en')} rows into PostgreSQL`, '']
  if (r.error) out.push(`Not measured: ${r.error}`, '')
  if (r.pgloader === undefined) out.push('pgloader is not installed: only migrator measured.', '')
  out.push('| what | wall | rows/s (wall) | CPU (user + sys) | peak memory |', '|---|---:|---:|---:|---:|')
  for (const c of r.cases) {
    out.push(`| ${c.label} | ${c.seconds.toFixed(1)} s | ${Math.round(r.rows / c.seconds).toLocaleString('en')} | ${c.cpuSeconds.toFixed(1)} s | ${c.peakMiB.toFixed(0)} MiB |`)
  }
  return out.join('\n')
}
