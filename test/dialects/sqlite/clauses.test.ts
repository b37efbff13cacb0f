import { afterEach, describe, expect, it } from 'vitest'
import { diff } from '../../../src/api/diff.js'
import { LONG_TEXT, MAX_INT, MIN_INT, applyTarget, project, roundTrip, type Project } from './fidelity.js'

/**
 * The clauses SQLite stores only in a table's CREATE text survive a table rebuild made for an
 * unrelated change (here: a column type change, which ALTER TABLE cannot express), and a change to
 * one of them alone is a diff that applies and converges.
 */

const TABLES = `
CREATE TABLE parent (
  id INTEGER PRIMARY KEY DESC ON CONFLICT REPLACE,
  code TEXT NOT NULL ON CONFLICT IGNORE COLLATE NOCASE UNIQUE ON CONFLICT FAIL,
  note TEXT
);
CREATE TABLE child (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  parent_id INTEGER REFERENCES parent (id) MATCH FULL ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  label TEXT COLLATE RTRIM,
  amount INTEGER,
  data BLOB
);
CREATE TABLE pair (
  a TEXT NOT NULL,
  b INTEGER NOT NULL,
  v TEXT,
  PRIMARY KEY (a DESC, b ASC) ON CONFLICT ROLLBACK,
  UNIQUE (v COLLATE NOCASE DESC) ON CONFLICT REPLACE
) WITHOUT ROWID;
CREATE TABLE strict_t (
  id INTEGER PRIMARY KEY,
  n INTEGER,
  t TEXT
) STRICT;
`

const SEED = `
INSERT INTO parent VALUES (1, 'A', NULL), (2, 'b', '${LONG_TEXT}'), (${MAX_INT}, 'ünï', 'max');
INSERT INTO child (id, parent_id, label, amount, data) VALUES (1, 1, 'x  ', ${MIN_INT}, x'00ff'), (2, 2, NULL, ${MAX_INT}, NULL), (3, NULL, '名前', 0, x'');
INSERT INTO pair VALUES ('k', 1, 'one'), ('k', 2, NULL), ('ü', ${MIN_INT}, '${LONG_TEXT}');
INSERT INTO strict_t VALUES (1, ${MAX_INT}, 'a'), (2, NULL, NULL);
DELETE FROM sqlite_sequence WHERE name = 'child'; INSERT INTO sqlite_sequence VALUES ('child', 1000);
`

/** Every table rebuilt for an unrelated reason: a column's declared type changes. */
const REBUILT = TABLES.replace('note TEXT', 'note VARCHAR(5000)')
  .replace('amount INTEGER,', 'amount BIGINT,')
  .replace('  v TEXT,', '  v VARCHAR(5000),')
  .replace('  t TEXT\n) STRICT', '  t ANY\n) STRICT')

let p: Project | undefined
afterEach(() => p?.remove())

describe('SQLite constraint clauses through rebuilds', () => {
  it('a rebuild for a type change keeps ON CONFLICT, MATCH, DEFERRABLE, PK order, AUTOINCREMENT, WITHOUT ROWID, STRICT and COLLATE', async () => {
    p = project('clauses')
    const { forward } = await roundTrip(p, { current: TABLES, seed: SEED, desired: REBUILT })
    // Each table was rebuilt, and each rebuilt CREATE carries its clauses.
    for (const table of ['parent', 'child', 'pair', 'strict_t']) expect(forward.up).toMatch(new RegExp(`CREATE TABLE "_migrator_new_${table}"`))
    const created = forward.up.split(';').filter((s) => s.includes('CREATE TABLE'))
    const text = created.join('\n')
    expect(text).toMatch(/"id" integer PRIMARY KEY DESC ON CONFLICT REPLACE/)
    expect(text).toMatch(/"code" text NOT NULL ON CONFLICT IGNORE COLLATE "NOCASE"/)
    expect(text).toMatch(/UNIQUE \("code"\) ON CONFLICT FAIL/)
    expect(text).toMatch(/REFERENCES "parent" \("id"\) ON DELETE CASCADE MATCH FULL DEFERRABLE INITIALLY DEFERRED/)
    expect(text).toMatch(/PRIMARY KEY AUTOINCREMENT/)
    expect(text).toMatch(/"label" text COLLATE "RTRIM"/)
    expect(text).toMatch(/PRIMARY KEY \("a" DESC, "b"\) ON CONFLICT ROLLBACK/)
    expect(text).toMatch(/UNIQUE \("v" COLLATE "NOCASE" DESC\) ON CONFLICT REPLACE/)
    expect(text).toMatch(/\) WITHOUT ROWID/)
    expect(text).toMatch(/\) STRICT/)
  })

  it('after the rebuild the clauses still act: REPLACE, IGNORE, NOCASE uniqueness, the AUTOINCREMENT counter, the non-rowid DESC key', async () => {
    p = project('clauses-act')
    p.target(TABLES)
    await applyTarget(p, 'current')
    p.exec(SEED)
    p.target(REBUILT)
    await applyTarget(p, 'rebuilt')
    // NOT NULL ON CONFLICT IGNORE: the row is skipped; UNIQUE … COLLATE NOCASE ON CONFLICT FAIL: 'a' clashes with 'A'.
    p.exec("INSERT INTO parent (id, code) VALUES (5, NULL)")
    expect(() => p!.exec("INSERT INTO parent (id, code) VALUES (6, 'a')")).toThrow(/UNIQUE constraint failed/)
    // PRIMARY KEY ON CONFLICT REPLACE: the old row 1 is replaced.
    p.exec("INSERT INTO parent (id, code) VALUES (1, 'z')")
    expect(p.rows().parent!.filter((r) => r.startsWith('int:1 |'))).toEqual(['int:1 | text:"z" | null'])
    // AUTOINCREMENT keeps its high-water mark (1000) through the rebuild.
    p.exec("INSERT INTO child (parent_id) VALUES (1)")
    expect(p.rows().child!.some((r) => r.startsWith('int:1001 |'))).toBe(true)
    // `id INTEGER PRIMARY KEY DESC` is not the rowid: the table keeps a separate rowid column.
    expect(p.sqlOf('parent')).toMatch(/"id" integer PRIMARY KEY DESC/)
  })

  const changes: readonly [string, string, string][] = [
    ['ON CONFLICT on a primary key', 'PRIMARY KEY DESC ON CONFLICT REPLACE', 'PRIMARY KEY DESC ON CONFLICT IGNORE'],
    ['ON CONFLICT on NOT NULL', 'NOT NULL ON CONFLICT IGNORE', 'NOT NULL ON CONFLICT REPLACE'],
    ['ON CONFLICT on UNIQUE', 'UNIQUE ON CONFLICT FAIL', 'UNIQUE'],
    ['FK MATCH', 'MATCH FULL ', ''],
    ['FK DEFERRABLE', 'DEFERRABLE INITIALLY DEFERRED', 'DEFERRABLE INITIALLY IMMEDIATE'],
    ['primary key column order', 'PRIMARY KEY (a DESC, b ASC)', 'PRIMARY KEY (a, b)'],
    ['UNIQUE column collation', 'UNIQUE (v COLLATE NOCASE DESC)', 'UNIQUE (v DESC)'],
    ['AUTOINCREMENT', 'id INTEGER PRIMARY KEY AUTOINCREMENT', 'id INTEGER PRIMARY KEY'],
    ['WITHOUT ROWID', ') WITHOUT ROWID;', ');'],
    ['STRICT', ') STRICT;', ');'],
    ['column COLLATE', 'label TEXT COLLATE RTRIM', 'label TEXT COLLATE NOCASE'],
  ]
  for (const [what, from, to] of changes) {
    it(`a change of ${what} alone is a diff: applies, converges, reverts, rows kept`, async () => {
      p = project('clause-change')
      const desired = TABLES.replace(from, to)
      expect(desired, 'edit anchor').not.toBe(TABLES)
      await roundTrip(p, { current: TABLES, seed: SEED, desired })
    })
  }

  it('moving an INTEGER PRIMARY KEY DESC from its column to a table constraint (which makes it the rowid) is a diff', async () => {
    p = project('clause-rowid')
    const desired = TABLES.replace('id INTEGER PRIMARY KEY DESC ON CONFLICT REPLACE,', 'id INTEGER,').replace('  note TEXT\n);', '  note TEXT,\n  PRIMARY KEY (id DESC) ON CONFLICT REPLACE\n);')
    expect(desired, 'edit anchor').not.toBe(TABLES)
    const { forward } = await roundTrip(p, { current: TABLES, seed: SEED, desired })
    expect(forward.up).toMatch(/PRIMARY KEY \("id" DESC\) ON CONFLICT REPLACE/)
  })

  it('a target that spells a clause differently but means the same is no change', async () => {
    p = project('clause-same')
    p.target(TABLES)
    await applyTarget(p, 'current')
    p.target(TABLES.replace('PRIMARY KEY (a DESC, b ASC)', 'PRIMARY KEY (a DESC, b)').replace('UNIQUE ON CONFLICT FAIL', 'UNIQUE on conflict fail').replace('CREATE TABLE strict_t (\n  id INTEGER PRIMARY KEY,', 'CREATE TABLE strict_t (\n  id INTEGER PRIMARY KEY ON CONFLICT ABORT,'))
    expect((await diff(p.config, { dryRun: true })).changes).toEqual([])
  })
})
