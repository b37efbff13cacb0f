import type { Driver } from '../dialects/dialect.js'
import { MigratorError } from '../errors.js'

/**
 * The optional Driver capability lock-aware retries need (proposed addition to `Driver`; each
 * dialect implements it in src/dialects/<d>/lock-errors.ts): whether an error means the statement
 * gave up waiting for a lock (PostgreSQL 55P03, MySQL 1205, SQLite SQLITE_BUSY).
 */
export interface LockErrorClassifier {
  isLockTimeout?(error: unknown): boolean
}

export interface LockRetryOptions {
  /** Tries in all, the first included. Default 5. */
  readonly attempts?: number
  /** Delay before the second try; doubles each time. Default 200 ms. */
  readonly baseDelayMs?: number
  /** Ceiling of one delay. Default 5000 ms. */
  readonly maxDelayMs?: number
  /** Overrides the driver's classifier (tests, or drivers without the capability). */
  readonly isLockTimeout?: (error: unknown) => boolean
  /** Called before each wait, for progress output (`lock busy, retry 2/5 in 400 ms`). */
  readonly onRetry?: (event: LockRetryEvent) => void
  /** Source of randomness for the jitter, in [0, 1). Default Math.random. */
  readonly random?: () => number
}

export interface LockRetryEvent {
  readonly kind: 'lock-retry'
  /** The attempt that failed (1-based). */
  readonly attempt: number
  readonly attempts: number
  readonly delayMs: number
  readonly error: unknown
}

/** Every attempt gave up waiting for a lock; each attempt was rolled back. */
export class LockRetryExhaustedError extends MigratorError {
  constructor(
    readonly attempts: number,
    readonly elapsedMs: number,
    cause: unknown,
  ) {
    super(
      'lock-retry-exhausted',
      `gave up after ${attempts} attempt${attempts === 1 ? '' : 's'} over ${elapsedMs} ms, each stopped by a lock another session holds ` +
        `(${firstLine(cause)}); nothing was changed. Retry when the table is less busy, end the long transaction holding the lock, or raise the attempts/lock timeout`,
      { cause },
    )
  }
}

/**
 * Runs `fn` and, when it fails because a lock could not be taken in time, runs it again after an
 * exponential backoff with jitter (half fixed, half random: `d/2 + random·d/2` with
 * `d = min(maxDelayMs, baseDelayMs·2^(attempt-1))`), up to `attempts` tries. Other errors pass
 * through at once. `fn` must leave the database unchanged when it throws (one transaction with
 * `driver.applyLockTimeout`, or a single DDL statement on MySQL), so a final failure is clean.
 *
 * Classifies errors with `options.isLockTimeout`, else the driver's optional `isLockTimeout`;
 * throws when neither exists, rather than retrying blindly.
 */
export async function withLockRetry<T>(
  driver: Driver & LockErrorClassifier,
  fn: (attempt: number) => Promise<T>,
  options: LockRetryOptions = {},
): Promise<T> {
  const classify = options.isLockTimeout ?? driver.isLockTimeout?.bind(driver)
  if (classify === undefined) {
    throw new MigratorError('unsupported', `the ${driver.dialect} driver cannot tell lock timeouts from other errors (no isLockTimeout); lock-aware retries are unavailable`)
  }
  const attempts = Math.max(1, Math.floor(options.attempts ?? 5))
  const started = Date.now()
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt)
    } catch (error) {
      if (!classify(error)) throw error
      if (attempt >= attempts) throw new LockRetryExhaustedError(attempts, Date.now() - started, error)
      const delayMs = backoffDelay(attempt, options, options.random ?? Math.random)
      options.onRetry?.({ kind: 'lock-retry', attempt, attempts, delayMs, error })
      await new Promise((resolve) => setTimeout(resolve, delayMs))
    }
  }
}

/** The wait after failed attempt `attempt` (1-based): pure, for tests and dry runs. */
export function backoffDelay(attempt: number, options: Pick<LockRetryOptions, 'baseDelayMs' | 'maxDelayMs'>, random: () => number): number {
  const base = options.baseDelayMs ?? 200
  const ceiling = options.maxDelayMs ?? 5000
  const d = Math.min(ceiling, base * 2 ** Math.max(0, attempt - 1))
  return Math.round(d / 2 + random() * (d / 2))
}

/**
 * Runs `statements` in one transaction whose lock waits are bounded by `lockTimeoutMs`
 * (`driver.applyLockTimeout`), retried by withLockRetry. On dialects without transactional DDL
 * each statement commits on its own: pass one statement per call there.
 */
export function runDdlWithLockRetry(
  driver: Driver & LockErrorClassifier,
  statements: readonly string[],
  options: LockRetryOptions & { readonly lockTimeoutMs: number },
): Promise<void> {
  return withLockRetry(
    driver,
    () =>
      driver.db.transaction(async (tx) => {
        await driver.applyLockTimeout(tx, options.lockTimeoutMs)
        for (const sql of statements) await tx.exec(sql)
      }),
    options,
  )
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return text.split('\n')[0] ?? text
}
