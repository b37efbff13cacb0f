import type { Command } from 'commander'
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

/** The flags every command that can run over a fleet shares (README "Fleets"). */
export interface FleetFlags {
  readonly targets?: string
  readonly tenantSchemas?: string
  readonly concurrency?: string
  readonly canary?: string
  readonly continueOnError?: boolean
  readonly shard?: string
}

/** Adds the fleet flags and their --help examples to `command` (up, down, status, validate, lint, verify). */
export function addFleetFlags(command: Command): Command {
  const name = command.name()
  return command
    .option('--targets <file>', 'run over many databases: a file with one URL per line (# starts a comment line); replaces the config\'s targets')
    .option('--tenant-schemas <pattern>', 'PostgreSQL: run in every schema of the database whose name matches this LIKE pattern, each with its own history and lock (config: tenantSchemas)')
    .option('--concurrency <n>', 'fleet: targets run at once (default 4)')
    .option('--canary <n>', 'fleet: run the first n targets alone first; if one fails, stop')
    .option('--continue-on-error', 'fleet: keep starting targets after one fails (default: stop starting new ones, let running ones finish)')
    .option('--shard <i/n>', 'fleet: run only shard i of n (a stable hash of each target), for CI matrices and indexed Jobs')
    .addHelpText('after', `\nFleet examples:\n  migrator ${name} --targets tenants.txt --concurrency 8\n  migrator ${name} --tenant-schemas 'tenant\\_%' --canary 2 --json\n  migrator ${name} --targets tenants.txt --shard 2/4 --continue-on-error`)
}
