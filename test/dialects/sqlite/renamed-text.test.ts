import { readdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { diff } from '../../../src/api/diff.js'
import { status } from '../../../src/api/status.js'
import { down, up } from '../../../src/api/migrate.js'
import { nextVersion } from '../../../src/migrations/directory.js'
import { writeSum } from '../../../src/migrations/sum.js'
import { LONG_TEXT, MAX_INT, MIN_INT, applyTarget, comparable, expectNoChangesCli, project, type Project } from './fidelity.js'

/**
 * `ALTER TABLE … RENAME TO` and `RENAME COLUMN` rewrite the stored text of every view and trigger
 * that mentions the renamed name (`FROM items` becomes `FROM "products"`). A schema that differs
 * from the target only by that rewriting is no change; a real change to such a view or trigger
 * still is one.
 */

const BEFORE = `
CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INTEGER, photo BLOB);
CREATE TABLE audit (id INTEGER PRIMARY KEY, item_id INTEGER, old_qty INTEGER, new_qty INTEGER);
CREATE VIEW in_stock AS SELECT id, name, qty FROM items WHERE qty > 0;
CREATE TRIGGER items_audit AFTER UPDATE OF qty ON items BEGIN
  INSERT INTO audit (item_id, old_qty, new_qty) VALUES (NEW.id, OLD.qty, NEW.qty);
END;
CREATE TABLE orders (id INTEGER PRIMARY KEY, item_id INTEGER);
CREATE TRIGGER orders_take AFTER INSERT ON orders BEGIN
  UPDATE items SET qty = qty - 1 WHERE id = NEW.item_id;
END;
`

/** The same schema as its author writes it after renaming items → products and qty → quantity. */
const AFTER = BEFORE.replace(/\bitems\b/g, 'products').replace(/\bqty\b/g, 'quantity')

const SEED = `
INSERT INTO items VALUES (1, 'widget', 3, x'01'), (2, '${LONG_TEXT}', ${MAX_INT}, NULL), (3, 'ünï 名前', ${MIN_INT}, x''), (4, 'none', NULL, NULL);
INSERT INTO audit VALUES (1, 1, NULL, 3);
`

let p: Project | undefined
afterEach(() => p?.remove())

/** Writes a hand-written migration (as `migrator new` and an editor would) and updates migrator.sum. */
async function handWritten(project: Project, slug: string, upSql: string, downSql: string): Promise<void> {
  const dir = project.config.dir
  const versions = readdirSync(dir).flatMap((f) => /^(\d+)_/.exec(f)?.[1] ?? [])
  const version = nextVersion(versions, new Date())
  writeFileSync(path.join(dir, `${version}_${slug}.up.sql`), upSql)
  writeFileSync(path.join(dir, `${version}_${slug}.down.sql`), downSql)
  await writeSum(dir)
}

describe('SQLite views and triggers rewritten by RENAME', () => {
  it('after a hand-written RENAME TO / RENAME COLUMN, the rewritten views and triggers are no change; a real change still shows and round-trips', async () => {
    p = project('renamed-text')
    p.target(BEFORE)
    await applyTarget(p, 'before')
    p.exec(SEED)
    const rowsBefore = p.rows()

    await handWritten(p, 'rename', 'ALTER TABLE items RENAME TO products;\nALTER TABLE products RENAME COLUMN qty TO quantity;\n', 'ALTER TABLE products RENAME COLUMN quantity TO qty;\nALTER TABLE products RENAME TO items;\n')
    const renamed = await up(p.config)
    expect(renamed.error, renamed.error?.message).toBeUndefined()
    // SQLite rewrote the texts: they differ from the target's, and mean the same.
    expect(p.sqlOf('in_stock')).toMatch(/FROM "products"/)
    expect(p.sqlOf('orders_take')).toMatch(/UPDATE "products"/)

    p.target(AFTER)
    const outcome = await diff(p.config, { dryRun: true })
    expect(outcome.changes).toEqual([])
    expect((await status(p.config)).ungenerated).toEqual([])
    await expectNoChangesCli(p)

    // A real change to the view and to a trigger body still shows.
    const changed = AFTER.replace('WHERE quantity > 0', 'WHERE quantity > 1').replace('SET quantity = quantity - 1', 'SET quantity = quantity - 2')
    p.target(changed)
    const forward = await applyTarget(p, 'real_change')
    expect(forward.changes.map((c) => c.kind).sort()).toEqual(['alterObject', 'createView', 'dropView'])
    expect(p.sqlOf('in_stock')).toMatch(/quantity > 1/)
    p.exec('INSERT INTO orders VALUES (1, 1)')
    expect(p.rows().products!.some((r) => r.startsWith('int:1 | text:"widget" | int:1 |'))).toBe(true)
    p.exec('DELETE FROM orders; UPDATE products SET quantity = 3 WHERE id = 1; DELETE FROM audit WHERE id > 1')

    // Down twice: the real change, then the hand-written renames; the structure and rows come back.
    const first = await down(p.config)
    expect(first.error, first.error?.message).toBeUndefined()
    p.target(AFTER)
    const second = await down(p.config)
    expect(second.error, second.error?.message).toBeUndefined()
    expect(p.rows()).toEqual({ ...rowsBefore, orders: [] })
    const fresh = project('renamed-text-ref')
    try {
      fresh.target(BEFORE)
      await applyTarget(fresh, 'before')
      expect(comparable(await p.schema())).toEqual(comparable(await fresh.schema()))
    } finally {
      fresh.remove()
    }
  })

  it('a view whose text differs only in identifier quoting and letter case is no change, one with another literal is', async () => {
    p = project('renamed-quoting')
    p.target(BEFORE)
    await applyTarget(p, 'before')
    p.target(BEFORE.replace('SELECT id, name, qty FROM items WHERE qty > 0', 'SELECT "id", [Name], `QTY`\n  FROM "Items" /* stock */ WHERE qty > 0'))
    expect((await diff(p.config, { dryRun: true })).changes).toEqual([])
    p.target(BEFORE.replace("INSERT INTO audit (item_id, old_qty, new_qty)", "INSERT INTO audit (item_id, old_qty, new_qty) SELECT NEW.id, OLD.qty, NEW.qty WHERE 'x' = 'X'; INSERT INTO audit (item_id, old_qty, new_qty)"))
    expect((await diff(p.config, { dryRun: true })).changes.map((c) => c.kind)).toEqual(['alterObject'])
  })
})
