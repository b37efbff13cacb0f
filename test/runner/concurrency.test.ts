import { spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runUp } from '../../src/runner/run.js'
import { historyVersions, sandbox, type Sandbox } from './setup.js'

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

// Each migration bumps a counter: applied twice would show as 2.
const migrations = (count: number): Record<string, string> => {
  const files: Record<string, string> = {
    '20240101000000_counter.up.sql': 'CREATE TABLE applied (version TEXT NOT NULL, n INTEGER NOT NULL);\n',
  }
  for (let i = 1; i <= count; i++) {
    const version = `202401010000${String(i).padStart(2, '0')}`
    files[`${version}_step_${i}.up.sql`] = `INSERT INTO applied (version, n) VALUES ('${version}', 1);\nCREATE TABLE t${i} (a INTEGER);\n`
  }
  return files
}

let box: Sandbox
beforeEach(async () => {
  box = await sandbox()
})
afterEach(async () => {
  await box.cleanup()
})

describe('concurrent up', () => {
  it('two connections in one process apply each migration exactly once', async () => {
    await box.write(migrations(6))
    const [a, b] = [await box.open(), await box.open()]
    const files = await box.files()
    const results = await Promise.all([runUp(a, files, box.options()), runUp(b, files, box.options())])
    expect(results.map((r) => r.error)).toEqual([undefined, undefined])
    const applied = results.flatMap((r) => r.results.filter((x) => x.status === 'applied').map((x) => x.version)).sort()
    expect(applied).toEqual(files.map((f) => f.version))
    // The loser of each race saw the winner's history row inside its own transaction and skipped.
    expect(results.flatMap((r) => r.results.map((x) => x.status)).filter((s) => s !== 'applied' && s !== 'skipped')).toEqual([])
    expect(box.query('SELECT version, count(*) AS n FROM applied GROUP BY version HAVING n > 1')).toEqual([])
    expect(box.query<{ n: number }>('SELECT count(*) AS n FROM applied')[0]?.n).toBe(6)
    expect(historyVersions(box)).toEqual(files.map((f) => f.version))
  })

  it('two processes apply each migration exactly once', async () => {
    await box.write(migrations(8))
    const script = path.join(box.root, 'up.ts')
    await writeFile(
      script,
      [
        `import { parseUrl } from ${JSON.stringify(path.join(repo, 'src/config/url.ts'))}`,
        `import { dialect } from ${JSON.stringify(path.join(repo, 'src/dialects/sqlite/index.ts'))}`,
        `import { readDirectory } from ${JSON.stringify(path.join(repo, 'src/migrations/directory.ts'))}`,
        `import { runUp } from ${JSON.stringify(path.join(repo, 'src/runner/run.ts'))}`,
        `const driver = await dialect.open(parseUrl(${JSON.stringify(`sqlite:${box.dbFile}`)}))`,
        `const result = await runUp(driver, await readDirectory(${JSON.stringify(box.dir)}), { historyTable: 'migrator_history', lockTimeoutMs: 10000, appliedBy: String(process.pid), toolVersion: 'test' })`,
        'await driver.close()',
        'process.stdout.write(JSON.stringify({ error: result.error?.message, results: result.results.map((r) => [r.version, r.status]) }))',
      ].join('\n'),
    )
    const run = (): Promise<{ error?: string; results: [string, string][] }> =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [path.join(repo, 'node_modules/jiti/lib/jiti-cli.mjs'), script], { cwd: repo })
        let out = ''
        let err = ''
        child.stdout.on('data', (d: Buffer) => (out += d.toString()))
        child.stderr.on('data', (d: Buffer) => (err += d.toString()))
        child.on('error', reject)
        child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`exit ${code}: ${err}`))))
      })
    const results = await Promise.all([run(), run()])
    expect(results.map((r) => r.error)).toEqual([undefined, undefined])
    const files = await box.files()
    const applied = results.flatMap((r) => r.results.filter(([, s]) => s === 'applied').map(([v]) => v)).sort()
    expect(applied).toEqual(files.map((f) => f.version))
    expect(box.query<{ n: number }>('SELECT count(*) AS n FROM applied')[0]?.n).toBe(8)
    expect(box.query('SELECT version FROM applied GROUP BY version HAVING count(*) > 1')).toEqual([])
    expect(historyVersions(box)).toEqual(files.map((f) => f.version))
  })
})
