#!/usr/bin/env node
/**
 * `npm run bench`: measures migrator against the native tools on real servers and prints the
 * results as Markdown (copied into docs/BENCHMARKS.md). Measurements only, never assertions.
 *
 *   npm run build && npm run bench                      # full run (~5 minutes)
 *   npm run bench -- --quick                            # fewer tables, migrations and repetitions
 *   npm run bench -- --only postgres,sqlite             # a subset of dialects
 *   npm run bench -- --profile                          # also CPU-profile inspect and up (node --cpu-prof)
 *   npm run bench -- --json results.json                # also write the raw samples
 *   npm run bench -- --only status                      # status with 300 and 3,000 applied migrations on the
 *                                                       # three dialects next to the driver-connect floor,
 *                                                       # and the CLI's startup next to `node -e 0`
 *   npm run bench -- --only fleet                       # one `up` over 200 targets × 20 migrations (PostgreSQL
 *                                                       # tenant schemas, SQLite files), --concurrency 1 vs 8,
 *                                                       # with the peak of open connections
 *   npm run bench -- --only backfill                    # chunked backfill vs one UPDATE, 1,000,000 rows on
 *                                                       # PostgreSQL and MariaDB/MySQL (--backfill-rows N)
 *   npm run bench -- --only copy                        # migrator copy vs pgloader, 1,000,000 rows from SQLite
 *                                                       # and MariaDB/MySQL into PostgreSQL (--copy-rows N)
 *
 * Servers: MIGRATOR_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres) and
 * MIGRATOR_BENCH_MYSQL_URL (default mysql://root@127.0.0.1:3306/mysql); the user must be able to
 * create databases. Every database the run creates is dropped, also on failure.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { ROOT } from './bench/migrator.mjs'
import { fmt, machine, table } from './bench/util.mjs'

const args = process.argv.slice(2)
const flag = (name) => args.includes(name)
const value = (name) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}
const quick = flag('--quick')
const only = (value('--only') ?? 'postgres,mysql,sqlite,status').split(',')
// Jobs of their own, not a dialect's inspect and apply rows (status is in the default run, the rest opt-in).
const OPT_IN = ['status', 'backfill', 'copy', 'fleet']
for (const name of only) {
  if (!['postgres', 'mysql', 'sqlite', ...OPT_IN].includes(name)) {
    console.error(`--only: unknown dialect "${name}"; use postgres, mysql, sqlite, status, backfill, copy and/or fleet, comma-separated`)
    process.exit(1)
  }
}
const jsonOut = value('--json')
const settings = quick
  ? { reps: 3, applyReps: 1, tables: 200, migrationCount: 60, statusCounts: [100, 1000] }
  : { reps: 5, applyReps: 3, tables: 1000, migrationCount: 300, statusCounts: [300, 3000] }
const log = (line) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`)

if (!existsSync(path.join(ROOT, 'dist/index.js'))) {
  console.error('dist/ is missing: run `npm run build` first')
  process.exit(1)
}

const tmp = await mkdtemp(path.join(os.tmpdir(), 'migrator-bench-'))
const results = { machine: machine(), settings: { ...settings, quick }, dialects: {} }
const loaders = {
  postgres: async () => (await import('./bench/postgres.mjs')).benchPostgres,
  mysql: async () => (await import('./bench/mysql.mjs')).benchMysql,
  sqlite: async () => (await import('./bench/sqlite.mjs')).benchSqlite,
}
let failed = false
try {
  for (const dialect of only.filter((d) => !OPT_IN.includes(d))) {
    const started = Date.now()
    try {
      const bench = await loaders[dialect]()
      results.dialects[dialect] = await bench({ ...settings, tmp, log })
    } catch (error) {
      failed = true
      results.dialects[dialect] = { error: String(error.message ?? error) }
      log(`${dialect}: FAILED: ${error.message}`)
    }
    log(`${dialect}: ${((Date.now() - started) / 1000).toFixed(0)} s`)
  }
  if (only.includes('status')) {
    const started = Date.now()
    const { benchStartup, benchStatus } = await import('./bench/status.mjs')
    results.startup = await benchStartup({ reps: settings.reps * 2, tmp })
    results.status = {}
    for (const dialect of ['postgres', 'mysql', 'sqlite']) {
      try {
        results.status[dialect] = await benchStatus(dialect, { reps: settings.reps, counts: settings.statusCounts, tmp, log })
      } catch (error) {
        failed = true
        results.status[dialect] = [{ label: 'status', note: `failed: ${String(error.message).split('\n')[0].slice(0, 300)}` }]
        log(`status ${dialect}: FAILED: ${error.message}`)
      }
    }
    log(`status: ${((Date.now() - started) / 1000).toFixed(0)} s`)
  }
  // Opt-in (`--only backfill`): about 2 minutes of 1,000,000-row loads and updates per server.
  if (only.includes('backfill')) {
    const started = Date.now()
    const { benchBackfill } = await import('./bench/backfill.mjs')
    const rows = Number(value('--backfill-rows') ?? 1_000_000)
    results.backfill = await benchBackfill({ rows, log })
    if (Object.values(results.backfill).some((d) => d.error)) failed = true
    log(`backfill: ${((Date.now() - started) / 1000).toFixed(0)} s`)
  }
  // Opt-in (`--only copy`): a few minutes of 1,000,000-row copies.
  if (only.includes('copy')) {
    const started = Date.now()
    const { benchCopy } = await import('./bench/copy.mjs')
    results.copy = await benchCopy({ rows: Number(value('--copy-rows') ?? 1_000_000), tmp, log })
    if (results.copy.error) failed = true
    log(`copy: ${((Date.now() - started) / 1000).toFixed(0)} s`)
  }
  // Opt-in (`--only fleet`): 200 targets × 20 migrations, one at a time and 8 at a time.
  if (only.includes('fleet')) {
    const started = Date.now()
    const { benchFleet } = await import('./bench/fleet.mjs')
    results.fleet = await benchFleet({ tmp, log, quick })
    if (results.fleet.rows.some((r) => r.error)) failed = true
    log(`fleet: ${((Date.now() - started) / 1000).toFixed(0)} s`)
  }
  if (flag('--profile')) {
    const { profileAll } = await import('./bench/profile.mjs')
    results.profiles = await profileAll({ ...settings, tmp, log, only: only.filter((d) => !OPT_IN.includes(d)) })
  }
} finally {
  await rm(tmp, { recursive: true, force: true })
}

console.log(
  render(results) +
    (results.backfill ? `\n${(await import('./bench/backfill.mjs')).renderBackfill(results.backfill)}` : '') +
    (results.copy ? `\n${(await import('./bench/copy.mjs')).renderCopy(results.copy)}` : '') +
    (results.fleet ? `\n\n${(await import('./bench/fleet.mjs')).renderFleet(results.fleet)}` : ''),
)
if (jsonOut) await writeFile(jsonOut, JSON.stringify(results, null, 2))
process.exitCode = failed ? 1 : 0

function render(r) {
  const m = r.machine
  const out = [
    `Machine: ${m.nproc} CPUs (${m.cpu}), ${m.memory} RAM, ${m.os}, Node ${m.node}; ${m.psql}; ${m.mariadbClient}; sqlite3 ${m.sqlite3}.`,
    `Settings: ${r.settings.tables} tables to inspect, ${r.settings.migrationCount} migrations to apply, ${r.settings.reps} repetitions (apply: ${r.settings.applyReps})${r.settings.quick ? ' (--quick)' : ''}.`,
  ]
  for (const [dialect, d] of Object.entries(r.dialects)) {
    out.push('', `### ${dialect}${d.server ? ` (${d.server})` : ''}`)
    if (d.error) {
      out.push('', `Not measured: ${d.error}`)
      continue
    }
    if (d.loadMs !== undefined) out.push('', `Schema of ${r.settings.tables} tables loaded in ${fmt(d.loadMs)}.`)
    if (d.queries) {
      out.push('', `Statements per \`driver.inspect()\`: ${d.queries.wide.count} with ${d.queries.wide.tables} tables, ${d.queries.empty.count} with ${d.queries.empty.tables} tables.`)
    }
    out.push('', `Inspect (${r.settings.tables} tables):`, '', table(d.inspect, { ratioTo: d.inspectBase }))
    out.push('', `Apply (${r.settings.migrationCount} migrations):`, '', table(d.apply, { ratioTo: d.applyBase }))
  }
  if (r.startup) out.push('', '### Startup', '', table(r.startup, { ratioTo: 'node -e 0' }))
  for (const [dialect, rows] of Object.entries(r.status ?? {})) {
    out.push('', `### status, ${dialect}`, '', table(rows, { ratioTo: 'floor: node + driver, connect, SELECT 1' }))
  }
  if (r.profiles) {
    for (const p of r.profiles) out.push('', `### Profile: ${p.title}`, '', p.text)
  }
  return out.join('\n')
}
