const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** What a duration may look like, for error messages. */
export const DURATION_HINT = 'a duration like "5s", "500ms" or "2m", or a number of milliseconds'

/**
 * Parses `500ms`, `5s`, `1.5s`, `2m`, `1h` or a non-negative number of milliseconds (also as a bare
 * numeric string, as flags arrive) into whole milliseconds. Returns undefined for anything else so
 * callers can report the problem with their own context (config key or flag name).
 */
export function parseDuration(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? Math.round(input) : undefined
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(input.trim())
  if (match === null) return undefined
  const unit = match[2] ?? 'ms'
  return Math.round(Number(match[1]) * (UNIT_MS[unit] ?? 1))
}
