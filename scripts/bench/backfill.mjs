/**
 * Backfill benchmark (`npm run bench -- --only backfill`): on a table of `rows` rows per server
 * (default 1,000,000), the chunked backfill (`runBackfill` from dist/, the engine `up` runs for a
 * `-- migrator:backfill` directive) next to one `UPDATE` of the whole table, each with a writer on
 * its own connection updating random rows and inserting new ones the whole time. Reports rows/s
 * and the longest single statement the writer waited on. Measurements only, never assertions.
 *
 * Each case gets a freshly loaded table (no dead tuples or undo from the previous case).
 */
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import mysql from 'mysql2/promise'
import pg from 'pg'
import { ROOT } from './migrator.mjs'
import { uniqueName } from './util.mjs'

const dist = (p) => import(pathToFileURL(path.join(ROOT, 'dist', p)).href)
const withDb = (url, name) => {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}
const SET = 'x = n * 2'
const WHERE = 'x IS NULL'

/** The two servers: how to create a database, load the table and run statements. */
const servers = {
  postgres: {
    admin: () => process.env.MIGRATOR_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    async connect(url) {
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      return { exec: (sql, params) => client.query(sql.replace(/\?/g, (_, i, s) => `$${s.slice(0, i).split('?').length}`), params), close: () => client.end() }
    },
    createDb: (c, name) => c.exec(`CREATE DATABASE "${name}"`),
    dropDb: (c, name) => c.exec(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
    version: async (c) => (await c.exec('SELECT version() AS v')).rows[0].v.split(' on ')[0],
    async load(c, rows) {
      await c.exec('DROP TABLE IF EXISTS items')
      await c.exec('CREATE TABLE items (id bigint PRIMARY KEY, email text NOT NULL, n int NOT NULL, x bigint NULL)')
      await c.exec(`INSERT INTO items SELECT g, 'u' || g || '@x', g, NULL FROM generate_series(1, ${rows}) g`)
      await c.exec('VACUUM ANALYZE items')
    },
    count: async (c, sql) => Number((await c.exec(sql)).rows[0].n),
  },
  mysql: {
    admin: () => process.env.MIGRATOR_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/mysql',
    async connect(url) {
      const conn = await mysql.createConnection({ uri: url })
      return { exec: async (sql, params) => ({ rows: (await conn.query(sql, params))[0] }), close: () => conn.end() }
    },
    createDb: (c, name) => c.exec(`CREATE DATABASE \`${name}\``),
    dropDb: (c, name) => c.exec(`DROP DATABASE IF EXISTS \`${name}\``),
    version: async (c) => {
      const v = String((await c.exec('SELECT version() AS v')).rows[0].v)
      return /mariadb/i.test(v) ? `MariaDB ${v.replace(/-MariaDB.*/i, '')}` : `MySQL ${v}`
    },
    async load(c, rows) {
      await c.exec('DROP TABLE IF EXISTS items')
      await c.exec('CREATE TABLE items (id bigint NOT NULL PRIMARY KEY, email varchar(100) NOT NULL, n int NOT NULL, x bigint NULL) ENGINE=InnoDB')
      // 10^5 ids from five cross-joined digit tables, inserted in slices (MariaDB and MySQL 8 alike).
      const digit = `(SELECT 0 AS d ${[1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => `UNION ALL SELECT ${i}`).join(' ')})`
      const t = ['a', 'b', 'c', 'd', 'e']
      const ids = `SELECT ${t.map((a, i) => `${a}.d * ${10 ** i}`).join(' + ')} + 1 AS i FROM ${t.map((a) => `${digit} ${a}`).join(', ')}`
      for (let from = 0; from < rows; from += 100_000) {
        await c.exec(`INSERT INTO items SELECT ${from} + i, CONCAT('u', ${from} + i, '@x'), ${from} + i, NULL FROM (${ids}) s WHERE ${from} + i <= ${rows}`)
      }
      await c.exec('ANALYZE TABLE items')
    },
    count: async (c, sql) => Number((await c.exec(sql)).rows[0].n),
  },
}

/**
 * A writer on its own connection: alternately updates a random existing row and inserts a new one
 * (ids above 10^9, `x` filled), 2 ms apart, until `stop()`. Records the longest statement and any error.
 */
function startWriter(connection, rows) {
  let stopped = false
  let ops = 0
  let maxMs = 0
  const errors = []
  let nextId = 1_000_000_001
  const done = (async () => {
    while (!stopped) {
      const t0 = performance.now()
      try {
        if (ops % 2 === 0) await connection.exec('UPDATE items SET n = n + 1 WHERE id = ?', [1 + Math.floor(Math.random() * rows)])
        else {
          const id = nextId++
          // Application code of the expand phase fills the new column itself.
          await connection.exec('INSERT INTO items (id, email, n, x) VALUES (?, ?, ?, ?)', [id, `u${id}@x`, id, id * 2])
        }
      } catch (error) {
        if (errors.length < 5) errors.push(String(error.message ?? error))
      }
      maxMs = Math.max(maxMs, performance.now() - t0)
      ops++
      await new Promise((resolve) => setTimeout(resolve, 2))
    }
  })()
  return {
    async stop() {
      stopped = true
      await done
      return { ops, maxMs, errors }
    },
  }
}

/** One dialect: the chunked backfill at the given batch sizes, then one UPDATE, each on a fresh table. */
async function benchOne(dialect, { rows, batches, log }) {
  const s = servers[dialect]
  const adminUrl = s.admin()
  const admin = await s.connect(adminUrl)
  const name = uniqueName(`bench_${dialect === 'postgres' ? 'pg' : 'my'}_backfill`)
  const url = withDb(adminUrl, name)
  const { parseUrl } = await dist('config/url.js')
  const { openDriver } = await dist('dialects/registry.js')
  const { runBackfill } = await dist('backfill/index.js')
  try {
    const server = await s.version(admin)
    await s.createDb(admin, name)
    const db = await s.connect(url)
    const writerConn = await s.connect(url)
    const cases = []
    try {
      const measureCase = async (label, fn) => {
        const l0 = performance.now()
        await s.load(db, rows)
        log(`backfill ${dialect}: ${rows} rows loaded in ${((performance.now() - l0) / 1000).toFixed(1)} s; ${label}`)
        const writer = startWriter(writerConn, rows)
        await new Promise((resolve) => setTimeout(resolve, 200))
        const t0 = performance.now()
        const detail = await fn()
        const ms = performance.now() - t0
        const w = await writer.stop()
        const left = await s.count(db, `SELECT count(*) AS n FROM items WHERE ${WHERE}`)
        cases.push({ label, ms, rowsPerSecond: (rows * 1000) / ms, writerOps: w.ops, writerMaxMs: w.maxMs, writerErrors: w.errors, left, ...detail })
        log(`backfill ${dialect}: ${label}: ${(ms / 1000).toFixed(1)} s, writer longest ${w.maxMs.toFixed(0)} ms over ${w.ops} statements, ${left} rows left`)
      }
      for (const batch of batches) {
        await measureCase(`runBackfill, batch ${batch}`, async () => {
          const driver = await openDriver(parseUrl(url))
          try {
            let chunkMax = 0
            let last = performance.now()
            const result = await runBackfill(driver, { table: 'items', set: SET, where: WHERE, batch }, {
              count: false,
              onEvent: (e) => {
                if (e.kind !== 'backfill-progress') return
                const now = performance.now()
                chunkMax = Math.max(chunkMax, now - last)
                last = now
              },
            })
            return { chunks: Math.ceil(result.rowsDone / batch), longestChunkMs: chunkMax, passes: result.passes }
          } finally {
            await driver.close()
          }
        })
      }
      await measureCase('one UPDATE of the whole table', async () => {
        await db.exec(`UPDATE items SET ${SET} WHERE ${WHERE}`)
        return {}
      })
    } finally {
      await writerConn.close()
      await db.close()
    }
    return { server, rows, cases }
  } finally {
    await s.dropDb(admin, name).catch(() => undefined)
    await admin.close()
  }
}

/** Runs both servers; a server that fails is reported, not fatal to the other. */
export async function benchBackfill({ rows = 1_000_000, batches = [1000, 10000], log, only = ['postgres', 'mysql'] }) {
  const out = {}
  for (const dialect of only) {
    try {
      out[dialect] = await benchOne(dialect, { rows, batches, log })
    } catch (error) {
      out[dialect] = { error: String(error.message ?? error) }
      log(`backfill ${dialect}: FAILED: ${error.message}`)
    }
  }
  return out
}

/** Markdown for the backfill results (one table per server). */
export function renderBackfill(result) {
  const out = []
  const n = (v) => Math.round(v).toLocaleString('en-US')
  for (const [dialect, d] of Object.entries(result)) {
    out.push('', `### Backfill: ${dialect}${d.server ? ` (${d.server})` : ''}`)
    if (d.error) {
      out.push('', `Not measured: ${d.error}`)
      continue
    }
    out.push(
      '',
      `\`SET ${SET} WHERE ${WHERE}\` on ${n(d.rows)} rows, a writer updating/inserting single rows every 2 ms throughout:`,
      '',
      '| what | time | rows/s | longest writer statement | writer statements | longest chunk | rows left |',
      '|---|---:|---:|---:|---:|---:|---:|',
    )
    for (const c of d.cases) {
      const chunk = c.longestChunkMs === undefined ? '—' : `${n(c.longestChunkMs)} ms`
      out.push(`| ${c.label} | ${(c.ms / 1000).toFixed(1)} s | ${n(c.rowsPerSecond)} | ${n(c.writerMaxMs)} ms | ${n(c.writerOps)} | ${chunk} | ${c.left} |`)
    }
    const errors = d.cases.filter((c) => c.writerErrors.length > 0)
    for (const c of errors) out.push('', `Writer errors during "${c.label}": ${c.writerErrors.join('; ')}`)
  }
  return out.join('\n')
}
