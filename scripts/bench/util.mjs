/**
 * Shared helpers of `npm run bench`: timing, child processes, machine facts, Markdown tables.
 * Measurements only: nothing here asserts a time.
 */
import { spawn, execFileSync } from 'node:child_process'
import { createReadStream, readFileSync } from 'node:fs'
import os from 'node:os'
import { performance } from 'node:perf_hooks'

/** Runs `fn` `reps` times (after `warmup` untimed runs); returns the samples in ms. */
export async function measure(reps, fn, { warmup = 0 } = {}) {
  for (let i = 0; i < warmup; i++) await fn(i)
  const samples = []
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now()
    await fn(i)
    samples.push(performance.now() - t0)
  }
  return samples
}

export function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
  return { median, min: sorted[0], max: sorted[sorted.length - 1], n: sorted.length }
}

/**
 * Spawns a process and resolves when it exits 0 (rejects with its stderr otherwise). stdout is
 * drained and discarded unless `capture`, so every tool pays for producing its output, not for
 * a terminal rendering it.
 */
export function run(cmd, args, { cwd, env, input, inputFile, capture = false, timeoutMs = 300_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    let tail = ''
    child.stdout.on('data', (d) => {
      if (capture) out += d
      else tail = (tail + d).slice(-2000)
    })
    child.stderr.on('data', (d) => {
      if (err.length < 20_000) err += d
    })
    child.on('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (code === 0) resolve({ stdout: out, stderr: err })
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code ?? signal}: ${(err.trim() || tail.trim()).slice(-2000).replace(/\s+/g, ' ')}`))
    })
    // A child that exits without reading stdin (sqlite3 file .schema) must not crash the run.
    child.stdin.on('error', () => {})
    if (inputFile !== undefined) {
      createReadStream(inputFile).pipe(child.stdin)
    } else {
      child.stdin.end(input ?? '')
    }
  })
}

function firstLine(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n')[0]
  } catch {
    return 'n/a'
  }
}

/** Machine facts for the report header. */
export function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8')
  const model = /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown'
  let osName = `${os.type()} ${os.release()}`
  try {
    const pretty = /PRETTY_NAME="([^"]*)"/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1]
    if (pretty) osName = `${pretty} (kernel ${os.release()})`
  } catch {}
  return {
    nproc: firstLine('nproc', []),
    cpu: model,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: osName,
    node: process.version,
    psql: firstLine('psql', ['--version']),
    mariadbClient: firstLine('mariadb', ['--version']),
    sqlite3: firstLine('sqlite3', ['--version']).split(' ').slice(0, 2).join(' '),
  }
}

export const fmt = (ms) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`)

/**
 * A Markdown table of results: rows `{ label, samples }` or `{ label, note }` (a tool that could
 * not run). `ratioTo` names the row the ratio column divides by (medians).
 */
export function table(rows, { ratioTo } = {}) {
  const base = rows.find((r) => r.label === ratioTo && r.samples)
  const baseMedian = base ? stats(base.samples).median : undefined
  const lines = [`| what | median | min | runs |${baseMedian ? ' × ' + ratioTo.replace(/\|/g, '\\|') + ' (median) |' : ''}`, `|---|---:|---:|---:|${baseMedian ? '---:|' : ''}`]
  for (const r of rows) {
    const label = r.label.replace(/\|/g, '\\|')
    if (!r.samples) {
      lines.push(`| ${label} | — | — | 0 |${baseMedian ? ' — |' : ''}`)
      continue
    }
    const s = stats(r.samples)
    lines.push(`| ${label} | ${fmt(s.median)} | ${fmt(s.min)} | ${s.n} |${baseMedian ? ` ${(s.median / baseMedian).toFixed(2)}× |` : ''}`)
  }
  const notes = rows.filter((r) => r.note).map((r) => `- ${r.label}: ${r.note}`)
  return [...lines, ...(notes.length ? ['', ...notes] : [])].join('\n')
}

/** A 14-digit migration version `seconds` after 2024-01-01T00:00:00Z. */
export function version(seconds) {
  return new Date(Date.UTC(2024, 0, 1) + seconds * 1000).toISOString().replace(/[-:T]/g, '').slice(0, 14)
}

/** A database name unique to this run. */
export function uniqueName(prefix) {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}`
}
