/**
 * SQLite benchmarks: inspect of a wide schema (migrator vs the sqlite3 CLI reading the schema
 * with `.schema`, and drizzle-kit pull); apply of many small migrations vs sqlite3 on the
 * concatenated file.
 */
import { rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { applyRows, countInspectQueries, drizzleRow, hash, migrator, migratorInspectRows, TEST_TIMEOUT_MS } from './migrator.mjs'
import { measure, run } from './util.mjs'
import { concatenated, migrations, wideSchemaSql, writeMigrations } from './workload.mjs'

const sqlite3 = (file, args, options) => run('sqlite3', ['-bail', file, ...args], options)

export async function benchSqlite({ reps, applyReps, tables, migrationCount, tmp, log }) {
  const { stdout } = await run('sqlite3', ['-version'], { capture: true })
  const result = {
    server: `sqlite3 CLI ${stdout.split(' ')[0]}`,
    inspect: [],
    apply: [],
    inspectBase: 'sqlite3 .schema',
    applyBase: 'sqlite3 < file wrapped in BEGIN/COMMIT',
  }
  const file = path.join(tmp, 'wide.db')
  const url = `sqlite://${file}`
  const ddl = path.join(tmp, 'sqlite-wide.sql')
  await writeFile(ddl, `BEGIN;\n${wideSchemaSql('sqlite', tables)}COMMIT;\n`)
  const t0 = performance.now()
  await sqlite3(file, [], { inputFile: ddl })
  result.loadMs = performance.now() - t0

  const wide = await countInspectQueries(url, tmp)
  const empty = await countInspectQueries(`sqlite://${path.join(tmp, 'empty.db')}`, tmp)
  result.queries = { wide, empty }
  log(`sqlite: inspect issues ${wide.count} statements for ${wide.tables} tables, ${empty.count} for ${empty.tables}`)

  result.inspect.push(...(await migratorInspectRows(url, { reps, cwd: tmp })))
  result.inspect.push({ label: 'sqlite3 .schema', samples: await measure(reps, () => run('sqlite3', [file, '.schema'])) })
  result.inspect.push({
    label: 'sqlite3: sqlite_schema + pragma_table_xinfo/index_list/foreign_key_list for every table',
    samples: await measure(reps, () =>
      run('sqlite3', [
        file,
        "SELECT m.name, p.* FROM sqlite_schema m JOIN pragma_table_xinfo(m.name) p WHERE m.type = 'table';" +
          "SELECT m.name, p.* FROM sqlite_schema m JOIN pragma_index_list(m.name) p WHERE m.type = 'table';" +
          "SELECT m.name, p.* FROM sqlite_schema m JOIN pragma_foreign_key_list(m.name) p WHERE m.type = 'table';" +
          "SELECT name, sql FROM sqlite_schema;",
      ]),
    ),
  })
  result.inspect.push(await drizzleRow('sqlite', file, { reps, tmp }))
  log('sqlite: inspect done')

  const list = migrations(migrationCount)
  const dir = path.join(tmp, 'sqlite-migrations')
  await writeMigrations(dir, list)
  await hash(dir, tmp)
  const one = path.join(tmp, 'sqlite-all.sql')
  const plain = path.join(tmp, 'sqlite-plain.sql')
  const perTx = path.join(tmp, 'sqlite-per-tx.sql')
  await writeFile(one, `BEGIN;\n${concatenated(list)}COMMIT;\n`)
  await writeFile(plain, concatenated(list))
  await writeFile(perTx, concatenated(list, { perMigrationTx: true }))
  let n = 0
  const fresh = async () => {
    const f = path.join(tmp, `apply-${n++}.db`)
    return { url: f, drop: () => rm(f, { force: true }) }
  }
  const verify = async (f) => {
    const { stdout } = await run('sqlite3', [f, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name LIKE 'm0%'"], { capture: true })
    if (Number(stdout.trim()) !== migrationCount) throw new Error(`expected ${migrationCount} tables after apply, found ${stdout.trim()}`)
  }
  result.apply = await applyRows(
    [
      { label: result.applyBase, run: (f) => sqlite3(f, [], { inputFile: one }), verify },
      { label: 'sqlite3 < file, BEGIN/COMMIT per migration', run: (f) => sqlite3(f, [], { inputFile: perTx }), verify },
      { label: 'sqlite3 < file, autocommit per statement', run: (f) => sqlite3(f, [], { inputFile: plain }), verify },
      { label: 'migrator up (CLI, one transaction per migration)', run: (f) => migrator(['up', '--url', `sqlite://${f}`, '--dir', dir], tmp), verify },
      // Round-trips every migration on an in-memory scratch database; the file stays untouched.
      { label: 'migrator test (CLI: up, seed, down, up again each)', run: (f) => migrator(['test', '--url', `sqlite://${f}`, '--dir', dir], tmp, { timeoutMs: TEST_TIMEOUT_MS }) },
    ],
    { reps: applyReps, fresh },
  )
  log('sqlite: apply done')
  await rm(file, { force: true })
  return result
}
