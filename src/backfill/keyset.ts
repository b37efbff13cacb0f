/**
 * Keyset predicates over a (possibly composite) key, written without row-value comparison so every
 * dialect plans them as index range scans: a leading `k1 >= ?` bounds the scan, the disjunction
 * makes it exact. Returns SQL with `?` placeholders and the matching parameters.
 */
export interface Predicate {
  readonly sql: string
  readonly params: readonly unknown[]
}

/** Rows whose key is strictly after `values`. */
export function after(columns: readonly string[], values: readonly unknown[]): Predicate {
  return compare(columns, values, '>', '>', '>=')
}

/** Rows whose key is at most `values`. */
export function upTo(columns: readonly string[], values: readonly unknown[]): Predicate {
  return compare(columns, values, '<', '<=', '<=')
}

function compare(columns: readonly string[], values: readonly unknown[], strict: string, last: string, bound: string): Predicate {
  if (columns.length !== values.length) {
    throw new Error(`key has ${columns.length} columns but the checkpoint holds ${values.length} values`)
  }
  const [first] = columns
  if (first === undefined) throw new Error('empty key')
  if (columns.length === 1) return { sql: `${first} ${last} ?`, params: [values[0]] }
  const terms: string[] = []
  const params: unknown[] = [values[0]]
  for (let i = 0; i < columns.length; i++) {
    const parts: string[] = []
    for (let j = 0; j < i; j++) {
      parts.push(`${columns[j]} = ?`)
      params.push(values[j])
    }
    parts.push(`${columns[i]} ${i === columns.length - 1 ? last : strict} ?`)
    params.push(values[i])
    terms.push(parts.length === 1 ? parts[0]! : `(${parts.join(' AND ')})`)
  }
  return { sql: `${first} ${bound} ? AND (${terms.join(' OR ')})`, params }
}
