/**
 * `npm run bench -- --profile`: CPU profiles (node --cpu-prof) of `migrator inspect` on the wide
 * schema and of `migrator up`, summarized as where the time goes: self time by function, and
 * inclusive time of migrator's own functions (dist/ → src/ names), plus the statements `up`
 * sends per migration (counted in-process by wrapping pg's Client#query).
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { ROOT, hash, migrator } from './migrator.mjs'
import { fmt, run, uniqueName } from './util.mjs'
import { migrations, wideSchemaSql, writeMigrations } from './workload.mjs'

/** Summarizes one .cpuprofile: wall time, idle share, top self-time and top inclusive src functions. */
export function summarize(profile, top = 12) {
  const distUrl = pathToFileURL(path.join(ROOT, 'dist')).href + '/'
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const name = (n) => {
    const f = n.callFrame
    const file = f.url ? f.url.replace(pathToFileURL(ROOT).href + '/', '').replace(/^dist\/(.*)\.js$/, 'src/$1.ts') : ''
    return `${f.functionName || '(anonymous)'}${file ? ` ${file}:${f.lineNumber + 1}` : ''}`
  }
  const self = new Map()
  const inclusive = new Map()
  let total = 0
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000
    total += dt
    const node = byId.get(profile.samples[i])
    self.set(name(node), (self.get(name(node)) ?? 0) + dt)
    const seen = new Set()
    for (let id = node.id; id !== undefined; id = parent.get(id)) {
      const n = byId.get(id)
      if (!n.callFrame.url.startsWith(distUrl)) continue
      const key = name(n)
      if (seen.has(key)) continue
      seen.add(key)
      inclusive.set(key, (inclusive.get(key) ?? 0) + dt)
    }
  }
  const rows = (map) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => `| ${k.replace(/\|/g, '\\|')} | ${fmt(v)} | ${((100 * v) / total).toFixed(1)}% |`)
  return [
    `Profiled wall time ${fmt(total)}; idle (waiting on the database or I/O) ${fmt(self.get('(idle)') ?? 0)}, GC ${fmt(self.get('(garbage collector)') ?? 0)}.`,
    '',
    'Self time, top functions:',
    '',
    '| function | self | share |',
    '|---|---:|---:|',
    ...rows(self),
    '',
    "Inclusive time of migrator's own functions (src/ paths of the built files):",
    '',
    '| function | inclusive | share |',
    '|---|---:|---:|',
    ...rows(inclusive),
  ].join('\n')
}

async function profiled(args, cwd, dir) {
  await mkdir(dir, { recursive: true })
  await migrator(args, cwd, { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] })
  const [file] = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'))
  return JSON.parse(await readFile(path.join(dir, file), 'utf8'))
}

/** A statement's shape: whitespace collapsed, numbers and the workload's table names folded. */
const shape = (sql) =>
  String(sql)
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\bm\d{4}/g, 'mNNNN')
    .replace(/\d+/g, 'N')
    .slice(0, 90)

/**
 * Statements sent by one in-process `up()`, by wrapping the driver library's entry point (pg's
 * Client#query, better-sqlite3's Database#prepare), grouped by shape.
 */
async function countUpStatements(dialect, url, dir, cwd) {
  const lib = dialect === 'postgres' ? 'node_modules/pg/lib/index.js' : 'node_modules/better-sqlite3/lib/index.js'
  const mod = (await import(pathToFileURL(path.join(ROOT, lib)).href)).default
  const proto = dialect === 'postgres' ? mod.Client.prototype : mod.prototype
  const method = dialect === 'postgres' ? 'query' : 'prepare'
  const { loadConfig, up } = await import(pathToFileURL(path.join(ROOT, 'dist/index.js')).href)
  const original = proto[method]
  const shapes = new Map()
  proto[method] = function (...args) {
    const text = typeof args[0] === 'string' ? args[0] : (args[0]?.text ?? '')
    shapes.set(shape(text), (shapes.get(shape(text)) ?? 0) + 1)
    return original.apply(this, args)
  }
  try {
    const result = await up(await loadConfig({ cwd, flags: { url, dir } }))
    if (result.error) throw result.error
  } finally {
    proto[method] = original
  }
  return { total: [...shapes.values()].reduce((a, b) => a + b, 0), shapes: [...shapes.entries()].sort((a, b) => b[1] - a[1]) }
}

function statementReport(counted, count, verb) {
  return [
    `${verb} by one in-process \`up()\` of ${count} migrations (3 statements each): ${counted.total} (${(counted.total / count).toFixed(1)} per migration). Most frequent shapes:`,
    '',
    '| statement (shape) | count | per migration |',
    '|---|---:|---:|',
    ...counted.shapes.slice(0, 12).map(([k, v]) => `| \`${k.replace(/\|/g, '\\|').replace(/`/g, "'")}\` | ${v} | ${(v / count).toFixed(1)} |`),
  ].join('\n')
}

export async function profileAll({ tables, migrationCount, tmp, log, only }) {
  const out = []
  if (only.includes('postgres')) {
    const admin = process.env.MIGRATOR_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
    const psql = (url, args) => run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', ...args, '-d', url])
    const names = []
    const create = async (prefix) => {
      const name = uniqueName(prefix)
      await psql(admin, ['-c', `CREATE DATABASE ${name}`])
      names.push(name)
      const u = new URL(admin)
      u.pathname = `/${name}`
      return u.toString()
    }
    try {
      const wide = await create('bench_prof_wide')
      const ddl = path.join(tmp, 'prof-wide.sql')
      await writeFile(ddl, wideSchemaSql('postgres', tables))
      await psql(wide, ['-1', '-f', ddl])
      out.push({ title: `migrator inspect --format json, PostgreSQL, ${tables} tables`, text: summarize(await profiled(['inspect', '--format', 'json', '--url', wide], tmp, path.join(tmp, 'prof-inspect'))) })
      log('profile: inspect done')
      const count = Math.min(migrationCount, 100)
      const dir = path.join(tmp, 'prof-migrations')
      await writeMigrations(dir, migrations(count))
      await hash(dir, tmp)
      const target = await create('bench_prof_up')
      const profile = await profiled(['up', '--url', target, '--dir', dir], tmp, path.join(tmp, 'prof-up'))
      const counted = await countUpStatements('postgres', await create('bench_prof_count'), dir, tmp)
      out.push({ title: `migrator up, PostgreSQL, ${count} migrations of 3 statements`, text: `${statementReport(counted, count, 'Statements sent to the server')}\n\n${summarize(profile)}` })
      log('profile: up done')
    } finally {
      for (const name of names) await psql(admin, ['-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]).catch(() => {})
    }
  }
  if (only.includes('sqlite')) {
    const file = path.join(tmp, 'prof-wide.db')
    const ddl = path.join(tmp, 'prof-wide-sqlite.sql')
    await writeFile(ddl, `BEGIN;\n${wideSchemaSql('sqlite', tables)}COMMIT;\n`)
    await run('sqlite3', [file], { inputFile: ddl })
    out.push({ title: `migrator inspect --format json, SQLite, ${tables} tables`, text: summarize(await profiled(['inspect', '--format', 'json', '--url', `sqlite://${file}`], tmp, path.join(tmp, 'prof-inspect-sqlite'))) })
    const count = Math.min(migrationCount, 100)
    const dir = path.join(tmp, 'prof-migrations-sqlite')
    await writeMigrations(dir, migrations(count))
    await hash(dir, tmp)
    const profile = await profiled(['up', '--url', `sqlite://${path.join(tmp, 'prof-up.db')}`, '--dir', dir], tmp, path.join(tmp, 'prof-up-sqlite'))
    const counted = await countUpStatements('sqlite', `sqlite://${path.join(tmp, 'prof-count.db')}`, dir, tmp)
    out.push({ title: `migrator up, SQLite, ${count} migrations of 3 statements`, text: `${statementReport(counted, count, 'Statements prepared')}\n\n${summarize(profile)}` })
    log('profile: sqlite done')
  }
  return out
}
