import { TargetError } from '../../errors.js'

/** drizzle-kit called process.exit: it refuses the schema and has printed why. */
class DrizzleKitExit extends Error {}

const ANSI = /\u001b\[[0-9;]*m/g

/**
 * Runs a drizzle-kit API call. drizzle-kit reports a schema it refuses (two indexes of one name, a
 * bad casing) by printing and calling process.exit; while it runs its console output is kept
 * (stdout belongs to migrator's own output, `--json` among it) and an exit becomes a TargetError
 * carrying what it printed, so migrator still cleans up its scratch database.
 */
export async function runDrizzleKit<T>(target: string, call: () => Promise<T>): Promise<T> {
  const said: string[] = []
  const saved = { exit: process.exit, log: console.log, error: console.error, warn: console.warn, info: console.info }
  const keep = (...args: unknown[]): void => void said.push(args.map(String).join(' '))
  Object.assign(console, { log: keep, error: keep, warn: keep, info: keep })
  process.exit = ((code?: number) => {
    throw new DrizzleKitExit(`drizzle-kit exited with code ${code ?? 0}`)
  }) as typeof process.exit
  try {
    return await call()
  } catch (error) {
    const printed = said.join(' ').replace(ANSI, '').replace(/\s+/g, ' ').trim()
    const reason = printed !== '' ? printed : error instanceof Error ? error.message : String(error)
    throw new TargetError(`target ${target}: drizzle-kit cannot generate its SQL: ${reason}; fix the schema`, { cause: error })
  } finally {
    process.exit = saved.exit
    Object.assign(console, { log: saved.log, error: saved.error, warn: saved.warn, info: saved.info })
  }
}
