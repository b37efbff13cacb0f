/**
 * PostgreSQL benchmarks: inspect of a wide schema vs psql running migrator's own catalog queries,
 * pg_dump --schema-only and drizzle-kit pull; apply of many small migrations vs psql.
 */
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { ROOT, applyRows, countInspectQueries, drizzleRow, hash, migrator, migratorInspectRows, TEST_TIMEOUT_MS } from './migrator.mjs'
import { measure, run, uniqueName } from './util.mjs'
import { concatenated, migrations, wideSchemaSql, writeMigrations } from './workload.mjs'

const withDb = (url, name) => {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}
const psql = (url, args, extra) => run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', ...args, '-d', url], extra)

/**
 * migrator's catalog queries, read from the built module at run time, with the schema-array
 * placeholder bound as a literal so psql can run them as they are.
 */
async function catalogScript(versionNum) {
  const q = await import(pathToFileURL(path.join(ROOT, 'dist/dialects/postgres/queries.js')).href)
  const features = q.serverFeatures(versionNum)
  const texts = [q.TABLES, q.COLUMNS, q.CONSTRAINTS, q.indexesQuery(features), q.VIEWS, q.SEQUENCES, q.TYPES, q.EXTENSIONS, q.FUNCTIONS, q.AGGREGATES, q.OPERATORS, q.triggersQuery(features)]
  return texts
    .map((sql) => {
      const bound = sql.replaceAll('?::text[]', "'{public}'::text[]")
      if (bound.includes('?')) throw new Error(`unexpected placeholder in catalog query: ${sql.slice(0, 80)}`)
      return `${bound.trim()};`
    })
    .join('\n')
}

export async function benchPostgres({ reps, applyReps, tables, migrationCount, tmp, log }) {
  const admin = process.env.MIGRATOR_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
  const created = new Set()
  const createDb = async (name) => {
    await psql(admin, ['-c', `CREATE DATABASE ${name}`])
    created.add(name)
    return withDb(admin, name)
  }
  const dropDb = async (name) => {
    await psql(admin, ['-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`])
    created.delete(name)
  }
  try {
    const { stdout } = await psql(admin, ['-A', '-t', '-c', "SELECT current_setting('server_version_num') || ' ' || version()"], { capture: true })
    const [num, ...rest] = stdout.trim().split(' ')
    const result = { server: rest.join(' ').split(' on ')[0], inspect: [], apply: [], inspectBase: 'psql running the same 12 catalog queries', applyBase: 'psql -1 -f (one transaction)' }

    // Wide schema, loaded as one script in one transaction.
    const name = uniqueName('bench_pg_inspect')
    const url = await createDb(name)
    const ddl = path.join(tmp, 'pg-wide.sql')
    await writeFile(ddl, wideSchemaSql('postgres', tables))
    const t0 = performance.now()
    await psql(url, ['-1', '-f', ddl])
    await psql(url, ['-c', 'ANALYZE'])
    result.loadMs = performance.now() - t0
    log(`postgres: ${tables} tables loaded in ${(result.loadMs / 1000).toFixed(1)} s`)

    const wide = await countInspectQueries(url, tmp)
    const emptyName = uniqueName('bench_pg_empty')
    const empty = await countInspectQueries(await createDb(emptyName), tmp)
    await dropDb(emptyName)
    result.queries = { wide, empty }
    log(`postgres: inspect issues ${wide.count} statements for ${wide.tables} tables, ${empty.count} for ${empty.tables}`)

    const catalog = path.join(tmp, 'pg-catalog.sql')
    await writeFile(catalog, await catalogScript(Number(num)))
    result.inspect.push(...(await migratorInspectRows(url, { reps, cwd: tmp })))
    log('postgres: migrator inspect done')
    result.inspect.push({ label: 'psql running the same 12 catalog queries', samples: await measure(reps, () => psql(url, ['-A', '-t', '-o', '/dev/null', '-f', catalog])) })
    result.inspect.push({ label: 'pg_dump --schema-only', samples: await measure(reps, () => run('pg_dump', ['--schema-only', '-f', '/dev/null', '-d', url])) })
    log('postgres: psql and pg_dump done')
    result.inspect.push(await drizzleRow('postgresql', url, { reps, tmp }))
    log('postgres: drizzle-kit done')
    await dropDb(name)

    // Apply: the same migrations through migrator and through psql.
    const list = migrations(migrationCount)
    const dir = path.join(tmp, 'pg-migrations')
    await writeMigrations(dir, list)
    await hash(dir, tmp)
    const one = path.join(tmp, 'pg-all.sql')
    const perTx = path.join(tmp, 'pg-per-tx.sql')
    await writeFile(one, concatenated(list))
    await writeFile(perTx, concatenated(list, { perMigrationTx: true }))
    const fresh = async () => {
      const n = uniqueName('bench_pg_apply')
      return { url: await createDb(n), drop: () => dropDb(n) }
    }
    const verify = async (u) => {
      const { stdout } = await psql(u, ['-A', '-t', '-c', "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'm0%'"], { capture: true })
      if (Number(stdout.trim()) !== migrationCount) throw new Error(`expected ${migrationCount} tables after apply, found ${stdout.trim()}`)
    }
    result.apply = await applyRows(
      [
        { label: 'psql -1 -f (one transaction)', run: (u) => psql(u, ['-1', '-f', one]), verify },
        { label: 'psql -f, BEGIN/COMMIT per migration', run: (u) => psql(u, ['-f', perTx]), verify },
        { label: `migrator up (CLI, one transaction per migration)`, run: (u) => migrator(['up', '--url', u, '--dir', dir], tmp), verify },
        { label: `migrator up --tx-mode all (CLI)`, run: (u) => migrator(['up', '--tx-mode', 'all', '--url', u, '--dir', dir], tmp), verify },
        // Round-trips every migration on a temporary database next to `u`, which stays untouched.
        { label: 'migrator test (CLI: up, seed, down, up again each)', run: (u) => migrator(['test', '--url', u, '--dir', dir], tmp, { timeoutMs: TEST_TIMEOUT_MS }) },
      ],
      { reps: applyReps, fresh },
    )
    log('postgres: apply done')
    return result
  } finally {
    for (const n of [...created]) await dropDb(n).catch(() => {})
  }
}
