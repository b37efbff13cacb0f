import { foldAscii } from '../../schema/plan.js'
import { identValue, isSignificant, tokenize } from './tokenize.js'

/**
 * The comparison form of a stored view or trigger text (Capabilities.definitionKey). `ALTER TABLE
 * … RENAME TO` and `RENAME COLUMN` rewrite the text of every view and trigger that mentions the
 * renamed name, quoting the new one (`FROM t` becomes `FROM "t2"`); SQLite reads identifiers
 * without regard to quoting or ASCII letter case. So the key is the token sequence with whitespace
 * and comments dropped and every keyword or identifier unquoted and ASCII-folded; string literals,
 * numbers and operators stay exact, so a real change of the text still shows.
 */
export function definitionKey(definition: string): string {
  return tokenize(definition)
    .filter(isSignificant)
    .map((t) => (t.kind === 'word' || t.kind === 'ident' ? JSON.stringify(foldAscii(identValue(t))) : t.text))
    .join(' ')
}
