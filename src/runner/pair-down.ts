import { excerpt } from './execute.js'

/** One statement of a script, as Driver.splitStatements returns it. */
export interface ScriptStatement {
  readonly sql: string
  readonly line: number
}

/** A down statement chosen to undo one up statement; `number` is its 1-based place in the down file. */
export interface PairedStatement extends ScriptStatement {
  readonly number: number
}

/** How a hand-written down file lines up with its up file. `undo[i - 1]` undoes up statement i. */
export type Pairing = { readonly ok: true; readonly undo: readonly PairedStatement[] } | { readonly ok: false; readonly reason: string }

/** The dialect's reading of a statement (Driver.objectsOf): the objects it touches, or undefined. */
export type ObjectsOf = (sql: string) => readonly string[] | undefined

/**
 * Pairs a hand-written down file (one without `-- migrator:undo` groups) with its up file only where
 * the pairing is provable: both hold the same number n of statements and, for every i, down
 * statement n-i+1 touches exactly the objects up statement i touches, as `objectsOf` reads them. A
 * statement it cannot read, a count that differs, one pair that touches different objects, or no
 * `objectsOf` at all: no pairing, and `reason` says why in words for the user. Pure.
 */
export function pairDown(up: readonly ScriptStatement[], down: readonly ScriptStatement[], objectsOf: ObjectsOf | undefined): Pairing {
  if (objectsOf === undefined) return { ok: false, reason: 'this database cannot tell which objects a statement touches' }
  const n = up.length
  if (down.length !== n) {
    return {
      ok: false,
      reason: `it has ${count(down.length)} and the up file ${n}, but it needs one per up statement, in reverse order`,
    }
  }
  const undo: PairedStatement[] = []
  for (let i = 1; i <= n; i++) {
    const forward = up[i - 1]!
    const reverse = down[n - i]!
    const touched = objectsOf(forward.sql)
    if (touched === undefined) return { ok: false, reason: `which objects up statement ${i} (${excerpt(forward.sql, 60)}) touches cannot be told` }
    const undone = objectsOf(reverse.sql)
    if (undone === undefined) return { ok: false, reason: `which objects down statement ${n - i + 1} (${excerpt(reverse.sql, 60)}) touches cannot be told` }
    if (!sameSet(touched, undone)) {
      return {
        ok: false,
        reason:
          `down statement ${n - i + 1} (${excerpt(reverse.sql, 60)}) touches ${undone.join(', ')}, ` +
          `but up statement ${i} (${excerpt(forward.sql, 60)}), which it would undo, touches ${touched.join(', ')}`,
      }
    }
    undo.push({ ...reverse, number: n - i + 1 })
  }
  return { ok: true, undo }
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a)
  const right = new Set(b)
  return left.size === right.size && [...left].every((key) => right.has(key))
}

function count(n: number): string {
  return `${n} statement${n === 1 ? '' : 's'}`
}
