/**
 * `status` with many applied migrations, next to its floor measured in the same run: Node starting,
 * loading the driver, connecting and running `SELECT 1` (what any CLI must pay). Also the startup
 * rows: `node -e 0` and `migrator --version`.
 *
 * The applied migrations: the first 300 are the apply workload's (CREATE TABLE + 3-row INSERT +
 * CREATE INDEX); beyond 300, each inserts one row into one of those tables, so a long history does
 * not also mean a 3,000-table schema (and MariaDB applies 3,000 of them in about a minute, not ten).
 * They are applied once with `migrator up` outside the timed region. MIGRATOR_BENCH_BIN points the timed
 * `migrator` at another checkout's bin/migrator (to measure a build before a change); the setup
 * always uses this checkout's.
 */
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { BIN, ROOT, hash } from './migrator.mjs'
import { measure, run, uniqueName, version } from './util.mjs'
import { migrations, writeMigrations } from './workload.mjs'

/** `count` migrations: the apply workload's first 300, then one-row inserts into those tables. */
function history(count) {
  const list = migrations(Math.min(count, 300))
  for (let i = 301; i <= count; i++) {
    const table = `m${String(1 + (i % 300)).padStart(4, '0')}`
    list.push({ version: version(i), slug: `row_${i}`, up: `INSERT INTO ${table} (id, name) VALUES (${i}, 'row ${i}');\n`, down: `DELETE FROM ${table} WHERE id = ${i};\n` })
  }
  return list
}

const TIMED_BIN = process.env.MIGRATOR_BENCH_BIN ?? BIN
const node = (args, options) => run(process.execPath, args, { cwd: ROOT, ...options })
const cli = (bin, args, cwd) => run(process.execPath, [bin, ...args], { cwd })

/** The floor of one dialect: a fresh Node process that loads the driver, connects, runs SELECT 1 and exits. */
const FLOORS = {
  postgres: (url) => `import pg from 'pg'; const c = new pg.Client(${JSON.stringify(url)}); await c.connect(); await c.query('SELECT 1'); await c.end()`,
  mysql: (url) => `import mysql from 'mysql2/promise'; const c = await mysql.createConnection(${JSON.stringify(url)}); await c.query('SELECT 1'); await c.end()`,
  sqlite: (url) => `import Database from 'better-sqlite3'; const d = new Database(${JSON.stringify(url.replace(/^sqlite:\/\//, ''))}); d.prepare('SELECT 1').get(); d.close()`,
}

const withDb = (url, name) => {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}

/** Creates and drops one database per (dialect, size); returns its URL and drop. */
async function database(dialect, tmp, name) {
  if (dialect === 'sqlite') {
    const file = path.join(tmp, `${name}.db`)
    return { url: `sqlite://${file}`, drop: () => rm(file, { force: true }) }
  }
  if (dialect === 'postgres') {
    const admin = process.env.MIGRATOR_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
    const { default: pg } = await import('pg')
    const sql = async (text) => {
      const c = new pg.Client(admin)
      await c.connect()
      try {
        await c.query(text)
      } finally {
        await c.end()
      }
    }
    await sql(`CREATE DATABASE ${name}`)
    return { url: withDb(admin, name), drop: () => sql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) }
  }
  const admin = process.env.MIGRATOR_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/mysql'
  const { default: mysql } = await import('mysql2/promise')
  const sql = async (text) => {
    const c = await mysql.createConnection(admin)
    try {
      await c.query(text)
    } finally {
      await c.end()
    }
  }
  await sql(`CREATE DATABASE ${name}`)
  return { url: withDb(admin, name), drop: () => sql(`DROP DATABASE IF EXISTS ${name}`) }
}

/**
 * Rows for one dialect: the floor, then `migrator status` with each count of applied migrations.
 * A row stops repeating once its samples add up to `budgetMs` (a slow `status` keeps the run short).
 */
export async function benchStatus(dialect, { reps, counts, tmp, log, budgetMs = 30_000 }) {
  const rows = []
  const timed = async (label, fn, warm = true) => {
    const samples = []
    // One untimed run first (disk caches), unless that alone would use the budget.
    for (let i = 0; i < reps && samples.reduce((a, b) => a + b, 0) < budgetMs; i++) samples.push(...(await measure(1, fn, { warmup: i === 0 && warm ? 1 : 0 })))
    rows.push({ label, samples })
  }
  for (const count of counts) {
    const dir = path.join(tmp, `status-${dialect}-${count}`)
    await writeMigrations(dir, history(count))
    await hash(dir, tmp)
    const db = await database(dialect, tmp, uniqueName(`bench_status_${dialect.slice(0, 2)}_${count}`))
    try {
      const t0 = performance.now()
      await run(process.execPath, [BIN, 'up', '--url', db.url, '--dir', dir], { cwd: tmp, timeoutMs: 1_800_000 })
      log(`${dialect}: ${count} migrations applied in ${((performance.now() - t0) / 1000).toFixed(1)} s (setup)`)
      if (count === counts[0]) await timed(`floor: node + driver, connect, SELECT 1`, () => node(['--input-type=module', '-e', FLOORS[dialect](db.url)]))
      await timed(`migrator status, ${count} applied migrations`, () => cli(TIMED_BIN, ['status', '--url', db.url, '--dir', dir], tmp), count <= 300)
    } finally {
      await db.drop()
      await rm(dir, { recursive: true, force: true })
    }
  }
  log(`${dialect}: status done`)
  return rows
}

/** `node -e 0` next to `migrator --version` and `migrator --help`: the CLI's own startup. */
export async function benchStartup({ reps, tmp }) {
  return [
    { label: 'node -e 0', samples: await measure(reps, () => run(process.execPath, ['-e', '0'], { cwd: tmp }), { warmup: 1 }) },
    { label: 'migrator --version', samples: await measure(reps, () => cli(TIMED_BIN, ['--version'], tmp), { warmup: 1 }) },
    { label: 'migrator --help', samples: await measure(reps, () => cli(TIMED_BIN, ['--help'], tmp), { warmup: 1 }) },
  ]
}
