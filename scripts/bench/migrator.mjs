/**
 * The migrator side of every benchmark, shared by the three dialects: the CLI end to end, the
 * in-process API, the number of catalog queries an inspection issues, and the apply workload.
 */
import { access, mkdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { measure, run } from './util.mjs'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const BIN = path.join(ROOT, 'bin/migrator')
const dist = (p) => import(pathToFileURL(path.join(ROOT, 'dist', p)).href)

/**
 * The `migrator` the timed CLI rows run: MIGRATOR_BENCH_BIN (another checkout's bin/migrator, to
 * measure before a change), else this checkout's. Setup (`hash`) and the in-process rows always
 * use this checkout.
 */
const TIMED_BIN = process.env.MIGRATOR_BENCH_BIN ?? BIN

/**
 * `migrator test` round-trips every migration (three inspections and a seed each): on a loaded
 * machine 300 of them outlast `run`'s 5-minute limit, so its rows get 30 minutes.
 */
export const TEST_TIMEOUT_MS = 1_800_000

/** `node <bin> …` in `cwd` (a folder without migrator.config.*, so flags alone apply); `extra.bin` defaults to TIMED_BIN. */
export function migrator(args, cwd, extra = {}) {
  return run(process.execPath, [...(extra.nodeArgs ?? []), extra.bin ?? TIMED_BIN, ...args], { cwd, ...extra })
}

/**
 * The inspect rows every dialect reports: CLI end to end, CLI startup alone, the in-process API
 * (connect + inspect + render JSON + close) and `driver.inspect()` on an open connection.
 */
export async function migratorInspectRows(url, { reps, cwd }) {
  const { loadConfig, inspect } = await dist('index.js')
  const { parseUrl } = await dist('config/url.js')
  const { openDriver } = await dist('dialects/registry.js')
  const rows = []
  rows.push({ label: 'migrator inspect --format json (CLI, process start to exit)', samples: await measure(reps, () => migrator(['inspect', '--format', 'json', '--url', url], cwd)) })
  rows.push({ label: 'migrator --version (CLI startup only)', samples: await measure(reps, () => migrator(['--version'], cwd)) })
  const config = await loadConfig({ cwd, flags: { url } })
  rows.push({ label: 'inspect() in-process: connect + inspect + JSON + close', samples: await measure(reps, () => inspect(config, 'json'), { warmup: 1 }) })
  const driver = await openDriver(parseUrl(url, cwd))
  try {
    rows.push({ label: 'driver.inspect() in-process, open connection', samples: await measure(reps, () => driver.inspect(), { warmup: 1 }) })
  } finally {
    await driver.close()
  }
  return rows
}

/**
 * Counts the statements one `driver.inspect()` sends, by wrapping the driver's Db. Returns the
 * count and the table count seen, so callers can compare a wide and an empty database.
 */
export async function countInspectQueries(url, cwd) {
  const { parseUrl } = await dist('config/url.js')
  const { openDriver } = await dist('dialects/registry.js')
  const driver = await openDriver(parseUrl(url, cwd))
  try {
    const db = driver.db
    const statements = []
    const query = db.query.bind(db)
    const exec = db.exec.bind(db)
    db.query = (sql, params) => (statements.push(sql), query(sql, params))
    db.exec = (sql, params) => (statements.push(sql), exec(sql, params))
    const schema = await driver.inspect()
    db.query = query
    db.exec = exec
    return { count: statements.length, tables: schema.tables.length }
  } finally {
    await driver.close()
  }
}

/** Writes migrator.sum for `dir` with the CLI. */
export async function hash(dir, cwd) {
  await migrator(['hash', '--dir', dir], cwd, { bin: BIN })
}

/**
 * Times each apply runner on a fresh database per repetition. `fresh()` returns `{ url, drop }`
 * (outside the timed region); each runner is `{ label, run(url), verify?(url) }`. A runner
 * repeats until `reps` or until its samples add up to `budgetMs`.
 */
export async function applyRows(runners, { reps, fresh, budgetMs = 30_000 }) {
  const rows = []
  for (const runner of runners) {
    try {
      const samples = []
      // A runner stops repeating once it has used its time budget, so a slow one keeps the run short.
      for (let i = 0; i < reps && samples.reduce((a, b) => a + b, 0) < budgetMs; i++) {
        const db = await fresh()
        try {
          const [sample] = await measure(1, () => runner.run(db.url))
          samples.push(sample)
          if (runner.verify) await runner.verify(db.url)
        } finally {
          await db.drop()
        }
      }
      rows.push({ label: runner.label, samples })
    } catch (error) {
      rows.push({ label: runner.label, note: `failed: ${String(error.message).split('\n')[0].slice(0, 300)}` })
    }
  }
  return rows
}

/** drizzle-kit's introspection (`drizzle-kit pull`) against `url`, with a generated config. */
export async function drizzleRow(dialect, url, { reps, tmp, timeoutMs = 60_000 }) {
  const bin = path.join(ROOT, 'node_modules/.bin/drizzle-kit')
  const dir = path.join(tmp, `drizzle-${dialect}`)
  const out = path.join(dir, 'out')
  const configFile = path.join(dir, 'drizzle.config.mjs')
  const label = `drizzle-kit pull (${dialect})`
  try {
    await access(bin).catch(() => {
      throw new Error('drizzle-kit is not installed (npm ci installs it as a devDependency)')
    })
    await mkdir(dir, { recursive: true })
    await writeFile(configFile, `export default ${JSON.stringify({ dialect, out, dbCredentials: { url } }, null, 2)}\n`)
    // One slow run is enough to know: later repetitions only run while they fit the time limit.
    const samples = []
    for (let i = 0; i < reps; i++) {
      await rm(out, { recursive: true, force: true })
      const t0 = performance.now()
      try {
        await run(bin, ['pull', '--config', configFile], { cwd: dir, timeoutMs })
      } catch (error) {
        if (performance.now() - t0 >= timeoutMs) {
          return { label, ...(samples.length ? { samples } : {}), note: `did not finish within ${timeoutMs / 1000} s (killed)${samples.length ? ` on run ${i + 1}` : ''}` }
        }
        throw error
      }
      samples.push(performance.now() - t0)
      if (samples[0] * (reps - 1) > timeoutMs) break
    }
    return { label, samples }
  } catch (error) {
    // drizzle-kit prints progress spinners on stdout; keep only a real error line, if any.
    const message = String(error.message)
    const errorLine = /(\w*Error[^\n]*)/.exec(message.replace(/.*exited \d+: /s, ''))?.[1]
    return { label, note: `could not run: ${errorLine ?? (/exited \d+/.test(message) ? `${/exited (\d+)/.exec(message)[0]} without an error message` : message.split('\n')[0])}`.slice(0, 300) }
  }
}
