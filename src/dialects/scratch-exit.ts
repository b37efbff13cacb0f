import { spawn } from 'node:child_process'
import { MigratorError } from '../errors.js'

/**
 * How to release one open scratch database (drop a temporary one, empty a devUrl one) when the
 * process ends before its `drop()` runs. Dialects register one for each scratch database they open
 * and unregister it once `drop()` succeeded.
 */
export interface ExitCleanup {
  /**
   * On SIGINT, SIGTERM or SIGHUP: end our sessions on the database (they may be busy with a
   * statement), then drop or empty it over a fresh connection. Awaited, up to SIGNAL_GRACE_MS,
   * before the signal is raised again.
   */
  readonly onSignal: () => Promise<void>
  /**
   * On 'exit' (process.exit(), an uncaught exception), or when onSignal ran out of time: must be
   * synchronous, so it can at most start a detached process (startDetached) that outlives us.
   */
  readonly onExit: () => void
}

/** How long a signal waits for the clean-up before the process goes anyway. */
export const SIGNAL_GRACE_MS = 10_000

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

const cleanups = new Set<ExitCleanup>()
let ending: NodeJS.Signals | undefined
let finished = false

/**
 * Registers `cleanup` until the returned function is called. While any is registered, SIGINT,
 * SIGTERM and SIGHUP first run the clean-ups and then take their default effect (the signal is
 * raised again, so the exit status says what ended the process); with none registered, signals
 * are left alone. After a signal no new scratch database may be opened: this throws.
 */
export function registerExitCleanup(cleanup: ExitCleanup): () => void {
  if (ending !== undefined) {
    throw new MigratorError('interrupted', `interrupted by ${ending}: no scratch database is opened while migrator cleans up and stops`)
  }
  cleanups.add(cleanup)
  if (cleanups.size === 1) hook()
  return () => {
    if (cleanups.delete(cleanup) && cleanups.size === 0) unhook()
  }
}

/** Clean-ups registered and not yet released; for tests. */
export function pendingExitCleanups(): number {
  return cleanups.size
}

/**
 * Runs `script` (CommonJS) in a detached Node process that outlives this one; `env` is added to
 * ours (secrets travel there, not in argv, which `ps` shows). Never throws: it runs while exiting.
 */
export function startDetached(script: string, env: Readonly<Record<string, string>>): void {
  try {
    spawn(process.execPath, ['--input-type=commonjs', '-e', script], {
      detached: true,
      stdio: 'ignore',
      windowsHide: true,
      env: { ...process.env, ...env },
    }).unref()
  } catch {
    // Nothing else can be done while exiting; a later run drops what is left as stale.
  }
}

function onSignal(signal: NodeJS.Signals): void {
  // A second signal means "stop now": hand what is left to detached processes and go.
  if (ending !== undefined) return finish(signal)
  ending = signal
  const timer = setTimeout(() => finish(signal), SIGNAL_GRACE_MS)
  const running = [...cleanups].map((cleanup) => Promise.resolve().then(cleanup.onSignal))
  void Promise.allSettled(running).then(() => {
    clearTimeout(timer)
    finish(signal)
  })
}

function finish(signal: NodeJS.Signals): void {
  if (finished) return
  finished = true
  onExit()
  // Our listener kept the default action from happening: remove it and let the signal do its work.
  unhook()
  process.kill(process.pid, signal)
}

function onExit(): void {
  for (const cleanup of cleanups) cleanup.onExit()
  cleanups.clear()
}

function hook(): void {
  for (const signal of SIGNALS) process.on(signal, onSignal)
  process.on('exit', onExit)
}

function unhook(): void {
  for (const signal of SIGNALS) process.removeListener(signal, onSignal)
  process.removeListener('exit', onExit)
}

/** The three ways one scratch database can be released; see guardScratch. */
export interface ScratchRelease {
  /** The normal path: close our connection, then drop or empty the database. */
  readonly drop: () => Promise<void>
  /** After a signal: our connection may be busy, so end its session first (see ExitCleanup.onSignal). */
  readonly abort: () => Promise<void>
  /** While exiting: synchronous, at most a detached process (see ExitCleanup.onExit). */
  readonly abandon: () => void
}

/**
 * Registers the release of one scratch database for signals and exit, and returns its `drop()`.
 * Whichever comes first, `drop()` or a signal, releases it and the other waits for that; once it
 * succeeded the registration ends. A failed release stays registered, so `abandon` still runs at
 * exit. Throws when a signal already arrived (see registerExitCleanup).
 */
export function guardScratch(release: ScratchRelease): () => Promise<void> {
  let released: Promise<void> | undefined
  const run = (how: () => Promise<void>): Promise<void> => (released ??= how().then(() => unregister()))
  const unregister = registerExitCleanup({ onSignal: () => run(release.abort), onExit: release.abandon })
  return () => run(release.drop)
}
