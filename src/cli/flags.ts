import { MigratorError } from '../errors.js'
import { DURATION_HINT, parseDuration } from '../config/duration.js'

/** Command-line values checked before anything connects: one clear line on bad input. */
export function parseSteps(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  if (!/^[1-9]\d*$/.test(value)) throw new MigratorError('usage', `--steps: expected a positive whole number, got "${value}"`)
  return Number(value)
}

/** A whole number ≥ 0 for `flag`. */
export function parseCount(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value)) throw new MigratorError('usage', `${flag}: expected a whole number, got "${value}"`)
  return Number(value)
}

/** A migration version for `what` (`--to`, `<version>`): 14 digits, `YYYYMMDDHHMMSS`. */
export function parseVersion(what: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  if (!/^\d{14}$/.test(value)) throw new MigratorError('usage', `${what}: expected a 14-digit version like 20240102030405, got "${value}"`)
  return value
}

export function parseTxMode(value: string): 'file' | 'all' | 'none' {
  if (value === 'file' || value === 'all' || value === 'none') return value
  throw new MigratorError('usage', `--tx-mode: expected file, all or none, got "${value}"`)
}

export function parseChoice<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(value)) return value as T
  throw new MigratorError('usage', `${flag}: expected one of ${choices.join(', ')}, got "${value}"`)
}

/** `--lock-wait 30s`: overrides the config's lockWait for this run. */
export function parseLockWait(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const ms = parseDuration(value)
  if (ms === undefined) throw new MigratorError('usage', `--lock-wait: expected ${DURATION_HINT}, got "${value}"`)
  return ms
}
