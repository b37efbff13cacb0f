/**
 * Structural equality of readonly model data: key order and `undefined`-valued keys do not matter,
 * array order does.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b)
}

/** A stable JSON text of `value` (sorted keys, undefined dropped), usable as a map key. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v
    const sorted: Record<string, unknown> = {}
    for (const k of Object.keys(v).sort()) {
      const item = (v as Record<string, unknown>)[k]
      if (item !== undefined) sorted[k] = item
    }
    return sorted
  })
}
