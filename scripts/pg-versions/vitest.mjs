/**
 * Runs vitest on a list of test files in a child process and reads the summary its reporter
 * (reporter.mjs) writes: counts and the failed tests with their first error line.
 */
import { spawn } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Starts `vitest run files` with `env` added to this process's environment, output on this
 * terminal. `done` resolves with `{ exitCode, timedOut, summary }` (summary is undefined when
 * vitest wrote no report); `kill()` ends vitest and every process it started.
 */
export function runVitest({ root, files, env, timeoutMs }) {
  const reportFile = path.join(os.tmpdir(), `migrator-pg-versions-${process.pid}-${Date.now()}.json`)
  const reporter = fileURLToPath(new URL('reporter.mjs', import.meta.url))
  const args = [path.join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...files, '--reporter=default', `--reporter=${reporter}`]
  // Its own process group, so its workers and the tools tests spawn (psql, pg_dump) end with it.
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env, MIGRATOR_PG_VERSIONS_REPORT: reportFile }, stdio: 'inherit', detached: true })
  let timedOut = false
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    signalGroup(child, 'SIGTERM')
    const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), 10_000)
    await new Promise((resolve) => child.once('exit', resolve))
    clearTimeout(timer)
  }
  const timer = setTimeout(() => {
    timedOut = true
    void kill()
  }, timeoutMs)
  const done = new Promise((resolve) => {
    child.once('exit', (code) => {
      clearTimeout(timer)
      const summary = readReport(reportFile)
      rmSync(reportFile, { force: true })
      resolve({ exitCode: code ?? 1, timedOut, summary })
    })
  })
  return { done, kill }
}

function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal)
  } catch {
    // The group is already gone.
  }
}

/** The summary the reporter wrote; undefined when there is none. */
function readReport(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    return undefined
  }
}
