import { createHash, randomBytes } from 'node:crypto'
import os from 'node:os'

/** Every temporary scratch database migrator creates starts with this; nothing without it is ever dropped as stale. */
export const SCRATCH_PREFIX = 'migrator_scratch_'

/** A LIKE pattern (backslash escapes, bound as a value) matching names that start with SCRATCH_PREFIX. */
export const SCRATCH_LIKE = 'migrator\\_scratch\\_%'

/**
 * A scratch database of another host counts as abandoned after this long: whether its owner still
 * runs cannot be checked from here, and no command keeps a scratch database open for a day.
 */
export const STALE_AFTER_MS = 24 * 60 * 60 * 1000

const NAME = /^migrator_scratch_([a-z0-9]{1,16})_(\d{1,10})_(\d{10})_[0-9a-f]{6}$/

/**
 * A fresh temporary scratch database name, `migrator_scratch_<host>_<pid>_<epoch seconds>_<random>`,
 * so that a later run can tell whose it is and how old. Lower case, at most 62 characters: within
 * PostgreSQL's 63 bytes and MySQL's 64 characters.
 */
export function scratchName(now: number = Date.now()): string {
  return `${SCRATCH_PREFIX}${hostTag()}_${process.pid}_${Math.floor(now / 1000)}_${randomBytes(3).toString('hex')}`
}

/**
 * This host as it appears in scratch names: the host name's letters and digits, lower case; a long
 * one is cut to 10 characters plus 6 hex digits of its hash, so hosts sharing a prefix stay apart.
 */
export function hostTag(hostname: string = os.hostname()): string {
  const plain = hostname.toLowerCase().replace(/[^a-z0-9]/g, '')
  if (plain === '') return 'host'
  if (plain.length <= 16) return plain
  return plain.slice(0, 10) + createHash('sha256').update(hostname).digest('hex').slice(0, 6)
}

/**
 * Whether the scratch database `name` was left behind by a run that is gone: on this host, its
 * owner process no longer exists; from another host, it is older than STALE_AFTER_MS. Names not
 * written by `scratchName` are never stale (nothing without our exact format is dropped).
 */
export function isStaleScratch(name: string, now: number = Date.now(), alive: (pid: number) => boolean = processAlive): boolean {
  const match = NAME.exec(name)
  if (match === null) return false
  const [, host, pid, epoch] = match
  if (host === hostTag()) return !alive(Number(pid))
  return now - Number(epoch) * 1000 > STALE_AFTER_MS
}

/** Whether a process with this pid exists on this host (one we may not signal exists too). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
