/**
 * MariaDB/MySQL benchmarks: inspect of a wide schema vs the `mariadb` (or `mysql`) client running
 * migrator's own information_schema queries and drizzle-kit pull; apply of many small migrations
 * vs the client running the concatenated file.
 */
import { execFileSync } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { ROOT, applyRows, countInspectQueries, drizzleRow, hash, migrator, migratorInspectRows, TEST_TIMEOUT_MS } from './migrator.mjs'
import { measure, run, uniqueName } from './util.mjs'
import { concatenated, migrations, wideSchemaSql, writeMigrations } from './workload.mjs'

const client = (() => {
  for (const name of ['mariadb', 'mysql']) {
    try {
      execFileSync(name, ['--version'], { stdio: 'ignore' })
      return name
    } catch {}
  }
  return 'mysql'
})()

/** Client arguments for a URL (the password, if any, through MYSQL_PWD so it stays off argv). */
function clientArgs(url) {
  const u = new URL(url)
  const args = ['--protocol=TCP', '-h', u.hostname, '-P', u.port || '3306', '-u', decodeURIComponent(u.username || 'root')]
  const database = u.pathname.replace(/^\//, '')
  return { args: database ? [...args, database] : args, env: u.password ? { MYSQL_PWD: decodeURIComponent(u.password) } : {} }
}
const mysql = (url, extraArgs, options = {}) => {
  const { args, env } = clientArgs(url)
  return run(client, [...extraArgs, ...args], { ...options, env })
}
const withDb = (url, name) => {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}

/** migrator's information_schema queries from the built module, with the database bound. */
async function catalogScript(versionText, database) {
  const { detectFlavor } = await import(pathToFileURL(path.join(ROOT, 'dist/dialects/mysql/flavor.js')).href)
  const { catalogQueries } = await import(pathToFileURL(path.join(ROOT, 'dist/dialects/mysql/queries.js')).href)
  const queries = Object.values(catalogQueries(detectFlavor(versionText))).filter((q) => q !== undefined)
  const script = queries
    .map((sql) => {
      const bound = sql.replaceAll('?', `'${database}'`)
      if (bound.includes('?')) throw new Error(`unexpected placeholder in catalog query: ${sql.slice(0, 80)}`)
      return `${bound.trim()};`
    })
    .join('\n')
  return { script, count: queries.length }
}

export async function benchMysql({ reps, applyReps, tables, migrationCount, tmp, log }) {
  const admin = process.env.MIGRATOR_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/mysql'
  const created = new Set()
  const createDb = async (name) => {
    await mysql(admin, ['-e', `CREATE DATABASE \`${name}\``])
    created.add(name)
    return withDb(admin, name)
  }
  const dropDb = async (name) => {
    await mysql(admin, ['-e', `DROP DATABASE IF EXISTS \`${name}\``])
    created.delete(name)
  }
  try {
    const { stdout } = await mysql(admin, ['-N', '-B', '-e', 'SELECT VERSION()'], { capture: true })
    const versionText = stdout.trim()
    const name = uniqueName('bench_my_inspect')
    const { script, count } = await catalogScript(versionText, name)
    const baseLabel = `${client} client running the same ${count} information_schema queries`
    const result = { server: /mariadb/i.test(versionText) ? `MariaDB ${versionText}` : `MySQL ${versionText}`, inspect: [], apply: [], inspectBase: baseLabel, applyBase: `${client} < concatenated file` }

    const url = await createDb(name)
    const ddl = path.join(tmp, 'my-wide.sql')
    await writeFile(ddl, wideSchemaSql('mysql', tables))
    const t0 = performance.now()
    await mysql(url, [], { inputFile: ddl })
    result.loadMs = performance.now() - t0
    log(`mysql: ${tables} tables loaded in ${(result.loadMs / 1000).toFixed(1)} s`)

    const wide = await countInspectQueries(url, tmp)
    const emptyName = uniqueName('bench_my_empty')
    const empty = await countInspectQueries(await createDb(emptyName), tmp)
    await dropDb(emptyName)
    result.queries = { wide, empty }
    log(`mysql: inspect issues ${wide.count} statements for ${wide.tables} tables, ${empty.count} for ${empty.tables}`)

    const catalog = path.join(tmp, 'my-catalog.sql')
    await writeFile(catalog, script)
    result.inspect.push(...(await migratorInspectRows(url, { reps, cwd: tmp })))
    log('mysql: migrator inspect done')
    result.inspect.push({ label: baseLabel, samples: await measure(reps, () => mysql(url, ['-N', '-B'], { inputFile: catalog })) })
    result.inspect.push(await drizzleRow('mysql', url, { reps, tmp }))
    log('mysql: client and drizzle-kit done')
    await dropDb(name)

    const list = migrations(migrationCount)
    const dir = path.join(tmp, 'my-migrations')
    await writeMigrations(dir, list)
    await hash(dir, tmp)
    const all = path.join(tmp, 'my-all.sql')
    await writeFile(all, concatenated(list))
    const fresh = async () => {
      const n = uniqueName('bench_my_apply')
      return { url: await createDb(n), drop: () => dropDb(n) }
    }
    const verify = async (u) => {
      const { stdout } = await mysql(u, ['-N', '-B', '-e', "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'm0%'"], { capture: true })
      if (Number(stdout.trim()) !== migrationCount) throw new Error(`expected ${migrationCount} tables after apply, found ${stdout.trim()}`)
    }
    result.apply = await applyRows(
      [
        { label: result.applyBase, run: (u) => mysql(u, [], { inputFile: all }), verify },
        { label: 'migrator up (CLI)', run: (u) => migrator(['up', '--url', u, '--dir', dir], tmp), verify },
        // Round-trips every migration on a temporary database next to `u`, which stays untouched.
        { label: 'migrator test (CLI: up, seed, down, up again each)', run: (u) => migrator(['test', '--url', u, '--dir', dir], tmp, { timeoutMs: TEST_TIMEOUT_MS }) },
      ],
      { reps: applyReps, fresh },
    )
    log('mysql: apply done')
    return result
  } finally {
    for (const n of [...created]) await dropDb(n).catch(() => {})
  }
}
