import { spawn } from 'node:child_process'
import path from 'node:path'
import { ROOT } from '../cli/helpers.js'

/** How a CLI run ended: an exit code, or the signal that ended it. */
export interface CliEnd {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/** A built-CLI run in progress, to be signalled mid-run. */
export interface RunningCli {
  readonly pid: number
  kill(signal: NodeJS.Signals): void
  readonly done: Promise<CliEnd>
}

/** Starts `node bin/migrator ...args` in `cwd` (environment as runCli: no DATABASE_URL or colors). */
export function startCli(args: readonly string[], cwd: string, env: Readonly<Record<string, string>> = {}): RunningCli {
  const childEnv: Record<string, string | undefined> = { ...process.env, ...env }
  for (const key of ['DATABASE_URL', 'NO_COLOR', 'FORCE_COLOR']) delete childEnv[key]
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'migrator'), ...args], { cwd, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const done = new Promise<CliEnd>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
  if (child.pid === undefined) throw new Error('the CLI did not start')
  return { pid: child.pid, kill: (signal) => child.kill(signal), done }
}

/**
 * Polls `check` until it holds; fails naming `what` after `ms`, or as soon as `run` ends (a run
 * that finished cannot be killed mid-run, so the test would prove nothing).
 */
export async function waitUntil(what: string, check: () => Promise<boolean>, run: RunningCli, ms = 120_000): Promise<void> {
  let ended: CliEnd | undefined
  void run.done.then((end) => (ended = end))
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (await check()) return
    if (ended !== undefined) throw new Error(`the run ended before ${what}: ${JSON.stringify(ended)}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  run.kill('SIGKILL')
  throw new Error(`timed out waiting for ${what}`)
}
