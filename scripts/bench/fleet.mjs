/**
 * `npm run bench -- --only fleet`: one `migrator up` over a fleet of 200 targets × 20 migrations,
 * sequential (--concurrency 1) vs --concurrency 8, on PostgreSQL tenant schemas (200 schemas of
 * one database, --tenant-schemas) and on 200 SQLite files (--targets). Next to the wall time, the
 * peak number of connections the run held open: PostgreSQL backends of the bench database
 * sampled from pg_stat_activity, SQLite target files the process had open sampled from
 * /proc/<pid>/fd. Measurements only, never assertions.
 */
import { spawn } from 'node:child_process'
import { readdirSync, readlinkSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import pg from 'pg'
import { BIN, migrator } from './migrator.mjs'
import { fmt, uniqueName, version } from './util.mjs'

const PG_URL = process.env.MIGRATOR_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const SAMPLE_MS = 20

/** 20 small migrations: tables, columns, an index, rows. */
async function writeMigrations(dir, count) {
  await mkdir(dir, { recursive: true })
  for (let i = 0; i < count; i++) {
    const table = `t${Math.floor(i / 4)}`
    const up = [
      i % 4 === 0 ? `CREATE TABLE ${table} (id integer PRIMARY KEY, name varchar(100) NOT NULL);` : '',
      i % 4 === 1 ? `ALTER TABLE ${table} ADD COLUMN note varchar(200);` : '',
      i % 4 === 2 ? `CREATE INDEX ${table}_name ON ${table} (name);` : '',
      `INSERT INTO ${table} (id, name) VALUES (${i * 10 + 1}, 'row ${i} ☃'), (${i * 10 + 2}, 'row ${i} b');`,
    ].join('\n')
    await writeFile(path.join(dir, `${version(i)}_m${i}.up.sql`), up + '\n')
  }
  await migrator(['hash', '--dir', dir], path.dirname(dir))
}

/** Runs the CLI while `sample()` is polled; returns wall time and the peak sample. */
async function timed(args, cwd, sample) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)))
  let peak = 0
  let running = true
  const sampler = (async () => {
    while (running) {
      peak = Math.max(peak, await sample(child.pid).catch(() => 0))
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS))
    }
  })()
  const t0 = performance.now()
  const code = await new Promise((resolve) => child.on('close', resolve))
  const ms = performance.now() - t0
  running = false
  await sampler
  if (code !== 0) throw new Error(`migrator ${args.join(' ')} exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' ')}`)
  return { ms, peak }
}

async function benchPostgres({ targets, migrations, tmp, log }) {
  const name = uniqueName('bench_fleet')
  const admin = new pg.Client({ connectionString: PG_URL })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  const url = new URL(PG_URL)
  url.pathname = `/${name}`
  const db = new pg.Client({ connectionString: url.toString() })
  await db.connect()
  const cwd = path.join(tmp, 'fleet-pg')
  await writeMigrations(path.join(cwd, 'migrations'), migrations)
  const schemas = Array.from({ length: targets }, (_, i) => `tenant_${String(i).padStart(3, '0')}`)
  const reset = async () => {
    await db.query(schemas.map((s) => `DROP SCHEMA IF EXISTS ${s} CASCADE; CREATE SCHEMA ${s};`).join('\n'))
  }
  // Backends of the bench database other than the sampler's own (the run's scratch databases have names of their own).
  const backends = async () => Number((await db.query('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name])).rows[0].n)
  const rows = []
  try {
    for (const concurrency of [1, 8]) {
      await reset()
      log(`fleet postgres: ${targets} tenant schemas × ${migrations} migrations, --concurrency ${concurrency}`)
      const { ms, peak } = await timed(['up', '--url', url.toString(), '--tenant-schemas', 'tenant\\_%', '--concurrency', String(concurrency), '--continue-on-error'], cwd, backends)
      const applied = Number((await db.query(`SELECT count(*) AS n FROM ${schemas.at(-1)}.migrator_history`)).rows[0].n)
      rows.push({ label: `PostgreSQL, ${targets} tenant schemas, --concurrency ${concurrency}`, ms, peak, check: `${applied} applied in ${schemas.at(-1)}` })
      log(`fleet postgres: ${fmt(ms)}, peak ${peak} backends, ${applied} migrations in ${schemas.at(-1)}`)
    }
  } finally {
    await db.end()
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [name])
    await admin.query(`DROP DATABASE IF EXISTS ${name}`)
    await admin.end()
  }
  return rows
}

async function benchSqlite({ targets, migrations, tmp, log }) {
  const rows = []
  for (const concurrency of [1, 8]) {
    const cwd = path.join(tmp, `fleet-sqlite-${concurrency}`)
    await writeMigrations(path.join(cwd, 'migrations'), migrations)
    await mkdir(path.join(cwd, 'db'), { recursive: true })
    await writeFile(path.join(cwd, 'targets.txt'), Array.from({ length: targets }, (_, i) => `sqlite:./db/tenant-${i}.db`).join('\n') + '\n')
    log(`fleet sqlite: ${targets} files × ${migrations} migrations, --concurrency ${concurrency}`)
    const openFiles = async (pid) => readdirSync(`/proc/${pid}/fd`).filter((fd) => /\/db\/tenant-\d+\.db$/.test(safeLink(`/proc/${pid}/fd/${fd}`))).length
    const { ms, peak } = await timed(['up', '--targets', 'targets.txt', '--concurrency', String(concurrency), '--continue-on-error'], cwd, openFiles)
    rows.push({ label: `SQLite, ${targets} files, --concurrency ${concurrency}`, ms, peak })
    log(`fleet sqlite: ${fmt(ms)}, peak ${peak} open files`)
  }
  return rows
}

function safeLink(file) {
  try {
    return readlinkSync(file)
  } catch {
    return ''
  }
}

export async function benchFleet({ tmp, log, quick }) {
  const settings = { targets: quick ? 50 : 200, migrations: 20, tmp, log }
  const result = { settings: { targets: settings.targets, migrations: settings.migrations }, rows: [] }
  for (const [label, bench] of [['PostgreSQL', benchPostgres], ['SQLite', benchSqlite]]) {
    try {
      result.rows.push(...(await bench(settings)))
    } catch (error) {
      result.rows.push({ label, error: String(error.message ?? error).slice(0, 400) })
      log(`fleet ${label}: FAILED: ${error.message}`)
    }
  }
  return result
}

export function renderFleet(r) {
  const lines = [
    `### Fleet: ${r.settings.targets} targets × ${r.settings.migrations} migrations, one \`migrator up\``,
    '',
    '| what | wall time | per target | peak open connections |',
    '|---|---:|---:|---:|',
  ]
  for (const row of r.rows) {
    if (row.error) lines.push(`| ${row.label} | failed: ${row.error.replace(/\|/g, '\\|')} | | |`)
    else lines.push(`| ${row.label} | ${fmt(row.ms)} | ${fmt(row.ms / r.settings.targets)} | ${row.peak} |`)
  }
  return lines.join('\n')
}
