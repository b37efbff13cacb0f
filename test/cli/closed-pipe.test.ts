import { spawn } from 'node:child_process'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { ROOT, tempProject } from './helpers.js'

// `migrator … | head -1`: the reader closes the pipe after its first line while migrator still
// writes. That is no error of the user's: no stack trace, the exit code the command would have had.

/** Runs the CLI, closing its stdout after the first chunk; resolves with its exit code and stderr. */
function runClosingStdout(args: readonly string[], cwd: string): Promise<{ readonly code: number | null; readonly stderr: string; readonly first: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'migrator'), ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    let first = ''
    child.stdout.once('data', (chunk: Buffer) => {
      first = chunk.toString('utf8')
      child.stdout.destroy()
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stderr, first }))
  })
}

describe('a reader that closes the pipe early', () => {
  const project = tempProject()
  afterAll(() => project.remove())

  it('inspect of a large schema ends normally, without EPIPE or a stack trace', async () => {
    const file = path.join(project.dir, 'big.db')
    const db = new Database(file)
    // Far more output than a pipe buffers (64 KiB).
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) db.exec(`CREATE TABLE t${i} (id integer PRIMARY KEY, note text DEFAULT 'é ${'x'.repeat(40)}', n int)`)
    })()
    db.close()
    const run = await runClosingStdout(['inspect', '--format', 'sql', '--url', `sqlite:${file}`], project.dir)
    expect(run.first).toMatch(/^CREATE TABLE "t0"/)
    expect(run.stderr).not.toMatch(/EPIPE|at .*\(|node:/)
    expect(run.code).toBe(0)
  })

  it('--help ends normally', async () => {
    const run = await runClosingStdout(['--help'], project.dir)
    expect(run.first).toMatch(/^Usage: migrator/)
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
  })
})
