import { afterEach, describe, expect, it } from 'vitest'
import { availableDialects, createDatabase, type DialectKey, type HandMadeDatabase } from './dialect-databases.js'
import { tempProject, type TempProject } from './helpers.js'

const available = await availableDialects()

const LONG = 'ü€'.repeat(200)

/**
 * Per dialect: a setup migration (applied without --verify) with tables holding rows, a trigger on
 * accounts that rewrites audit, and (servers) a routine that empties audit, which no later file names.
 */
const SETUP: Record<DialectKey, string> = {
  postgres: `
CREATE TABLE accounts (id bigint PRIMARY KEY, name text, balance numeric(20,4));
CREATE TABLE audit (id integer PRIMARY KEY, note text);
CREATE TABLE notes (id integer PRIMARY KEY, body text);
CREATE TABLE tags (label text, weight double precision);
CREATE FUNCTION touch_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE audit SET note = 'touched'; RETURN NULL; END $$;
CREATE TRIGGER accounts_touch AFTER UPDATE ON accounts FOR EACH STATEMENT EXECUTE FUNCTION touch_audit();
CREATE FUNCTION purge_audit() RETURNS void LANGUAGE sql AS $$ DELETE FROM audit $$;
`,
  mariadb: `
CREATE TABLE accounts (id bigint PRIMARY KEY, name text, balance decimal(20,4)) ENGINE=InnoDB;
CREATE TABLE audit (id integer PRIMARY KEY, note text) ENGINE=InnoDB;
CREATE TABLE notes (id integer PRIMARY KEY, body text) ENGINE=InnoDB;
CREATE TABLE tags (label text, weight double) ENGINE=InnoDB;
CREATE TRIGGER accounts_touch AFTER UPDATE ON accounts FOR EACH ROW UPDATE audit SET note = 'touched';
CREATE PROCEDURE purge_audit() DELETE FROM audit;
`,
  sqlite: `
CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT, balance NUMERIC);
CREATE TABLE audit (id INTEGER PRIMARY KEY, note TEXT);
CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);
CREATE TABLE tags (label TEXT, weight REAL);
CREATE TRIGGER accounts_touch AFTER UPDATE ON accounts BEGIN UPDATE audit SET note = 'touched'; END;
`,
}

const ROWS = `
INSERT INTO accounts (id, name, balance) VALUES (1, 'Ann', 9999999999999999.9999), (2, NULL, NULL), (9007199254740991, '${LONG}', -0.0001);
INSERT INTO audit (id, note) VALUES (1, 'created'), (2, NULL), (3, '${LONG}');
INSERT INTO notes (id, body) VALUES (1, 'one'), (2, NULL);
INSERT INTO tags (label, weight) VALUES ('ünï', 1.5), (NULL, NULL), ('ünï', 1.5);
`

/** Every row of the tables, as text, to compare before and after. */
async function contents(db: HandMadeDatabase): Promise<string> {
  const out: unknown[] = []
  for (const sql of [
    'SELECT id, name, CAST(balance AS CHAR(40)) AS balance FROM accounts ORDER BY id',
    'SELECT id, note FROM audit ORDER BY id',
    'SELECT id, body FROM notes ORDER BY id',
    'SELECT label, weight FROM tags ORDER BY label, weight',
  ]) {
    out.push(await db.query(sql.replace('CHAR(40)', 'TEXT')).catch(() => db.query(sql)))
  }
  return JSON.stringify(out, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))
}

let project: TempProject | undefined
let database: HandMadeDatabase | undefined
afterEach(async () => {
  project?.remove()
  project = undefined
  await database?.drop()
  database = undefined
})

async function setUp(dialect: DialectKey): Promise<{ project: TempProject; db: HandMadeDatabase }> {
  database = await createDatabase(dialect, 'upverify')
  project = tempProject({ 'migrator.config.ts': `export default { url: ${JSON.stringify(database.url)}, dir: './migrations' }\n` })
  project.write('migrations/20240101000000_setup.up.sql', SETUP[dialect])
  const first = await project.run(['hash'])
  expect(first.code, first.stderr).toBe(0)
  const applied = await project.run(['up'])
  expect(applied.code, applied.stderr).toBe(0)
  await database.exec(ROWS)
  return { project, db: database }
}

async function addMigration(p: TempProject, version: string, slug: string, up: string): Promise<void> {
  p.write(`migrations/${version}_${slug}.up.sql`, up)
  const hashed = await p.run(['hash'])
  expect(hashed.code, hashed.stderr).toBe(0)
}

async function pending(p: TempProject): Promise<string[]> {
  const status = await p.run(['status', '--json'])
  const report = JSON.parse(status.stdout) as { migrations: { version: string; state: string }[] }
  return report.migrations.filter((m) => m.state !== 'applied').map((m) => `${m.version} ${m.state}`)
}

for (const dialect of ['postgres', 'mariadb', 'sqlite'] as const) {
  describe.skipIf(!available[dialect])(`up --verify on ${dialect}`, () => {
    it('passes a migration that changes only the tables it names, rows of the others kept', { timeout: 120_000 }, async () => {
      const { project: p, db } = await setUp(dialect)
      await addMigration(p, '20240102000000', 'tag_notes', "ALTER TABLE notes ADD COLUMN tag varchar(20);\nUPDATE notes SET tag = 'a';\n")
      const before = await contents(db)
      const result = await p.run(['up', '--verify', '--verbose'])
      expect(result.code, result.stderr).toBe(0)
      expect(result.stderr).toContain('check-after passed: built-in untouched-tables-unchanged (3 tables)')
      expect(await contents(db)).toBe(before)
      expect(await db.query('SELECT tag FROM notes ORDER BY id')).toEqual([{ tag: 'a' }, { tag: 'a' }])
    })

    it('fails a migration whose trigger rewrites a table it does not name, and rolls it back', { timeout: 120_000 }, async () => {
      const { project: p, db } = await setUp(dialect)
      await addMigration(p, '20240102000000', 'rename_ann', "UPDATE accounts SET name = 'Anne' WHERE id = 1;\n")
      const before = await contents(db)
      // Without --verify the side effect goes through unnoticed; here it is caught.
      const result = await p.run(['up', '--verify'])
      expect(result.code, result.stdout).toBe(1)
      expect(result.stderr).toContain('20240102000000_rename_ann.up.sql')
      expect(result.stderr).toContain('untouched-tables-unchanged failed')
      expect(result.stderr).toMatch(/changed tables it does not name: (public\.)?audit kept its 3 rows but their values changed;/)
      expect(result.stderr).toContain('the migration was rolled back')
      expect(await contents(db)).toBe(before)
      expect(await pending(p)).toEqual(['20240102000000 pending'])
    })

    if (dialect !== 'sqlite') {
      it('fails a migration that empties a table through a routine it calls', { timeout: 120_000 }, async () => {
        const { project: p, db } = await setUp(dialect)
        const call = dialect === 'postgres' ? 'SELECT purge_audit();\n' : 'CALL purge_audit();\n'
        await addMigration(p, '20240102000000', 'purge', `ALTER TABLE notes ADD COLUMN tag varchar(20);\n${call}`)
        const before = await contents(db)
        const result = await p.run(['up', '--verify'])
        expect(result.code, result.stdout).toBe(1)
        expect(result.stderr).toMatch(/changed tables it does not name: (public\.)?audit had 3 rows before and 0 after/)
        if (dialect === 'postgres') {
          // Transactional DDL: the whole migration rolled back, rows and column.
          expect(result.stderr).toContain('the migration was rolled back')
          expect(await contents(db)).toBe(before)
          expect(await pending(p)).toEqual(['20240102000000 pending'])
        } else {
          // MySQL commits DDL and a CALL as they run: the message says the deleted rows stay deleted.
          expect(result.stderr).toContain('it ran outside a transaction: those row changes are committed and stay')
          expect(await db.query('SELECT count(*) AS n FROM audit')).toEqual([{ n: 0 }])
        }
      })
    }
  })
}

describe('up --verify on a table over the sample size (SQLite)', () => {
  it('counts it exactly, checksums its first rows by key, says so, and still catches a change there', { timeout: 120_000 }, async () => {
    const { project: p, db } = await setUp('sqlite')
    await addMigration(p, '20240102000000', 'big', 'CREATE TABLE big (id INTEGER PRIMARY KEY, v TEXT);\nCREATE TRIGGER notes_big AFTER DELETE ON notes BEGIN UPDATE big SET v = NULL WHERE id = 7; END;\n')
    expect((await p.run(['up'])).code).toBe(0)
    await db.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50010) INSERT INTO big SELECT i, 'row ' || i FROM n")

    await addMigration(p, '20240103000000', 'tag_notes', 'ALTER TABLE notes ADD COLUMN tag TEXT;\n')
    const clean = await p.run(['up', '--verify'])
    expect(clean.code, clean.stderr).toBe(0)
    expect(clean.stderr).toContain('--verify sampled large tables: big (50010 rows, checksum over the first 50000)')

    await addMigration(p, '20240104000000', 'drop_note', 'DELETE FROM notes WHERE id = 2;\n')
    const caught = await p.run(['up', '--verify'])
    expect(caught.code).toBe(1)
    expect(caught.stderr).toContain('changed tables it does not name: big kept its 50010 rows but their values changed (in the first 50000 by primary key)')
    expect(await db.query('SELECT v FROM big WHERE id = 7')).toEqual([{ v: 'row 7' }])
    expect(await db.query('SELECT count(*) AS n FROM notes')).toEqual([{ n: 2 }])
  })
})
