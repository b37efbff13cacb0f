import { describe, expect, it } from 'vitest'
import { definitionKey } from '../../../src/dialects/sqlite/definition-key.js'

describe('SQLite definition comparison form', () => {
  const same = (a: string, b: string) => expect(definitionKey(a)).toBe(definitionKey(b))
  const differ = (a: string, b: string) => expect(definitionKey(a)).not.toBe(definitionKey(b))

  it('ignores identifier quoting, ASCII letter case, whitespace and comments (what RENAME rewrites)', () => {
    same('CREATE VIEW v AS SELECT qty FROM items', 'CREATE VIEW v AS SELECT "qty" FROM "items"')
    same('CREATE VIEW v AS SELECT qty FROM items', 'create view V as\n  select [QTY] /* n */ from `Items` -- x\n')
  })

  it('keeps string literals, numbers, operators and non-ASCII letter case exact', () => {
    differ("CREATE VIEW v AS SELECT 'a'", "CREATE VIEW v AS SELECT 'A'")
    differ('CREATE VIEW v AS SELECT a FROM t WHERE n > 0', 'CREATE VIEW v AS SELECT a FROM t WHERE n > 1')
    differ('CREATE VIEW v AS SELECT a FROM t WHERE n > 0', 'CREATE VIEW v AS SELECT a FROM t WHERE n >= 0')
    differ('CREATE VIEW v AS SELECT "Ä" FROM t', 'CREATE VIEW v AS SELECT "ä" FROM t')
    differ("CREATE VIEW v AS SELECT 'x' FROM t", 'CREATE VIEW v AS SELECT "x" FROM t')
  })
})
