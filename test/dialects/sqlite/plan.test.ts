import { afterAll, describe, expect, it } from 'vitest'
import type { Plan } from '../../../src/schema/plan.js'
import type { SqliteDriver } from '../../../src/dialects/sqlite/index.js'
import { planChanges } from '../../../src/dialects/sqlite/plan.js'
import type { Change } from '../../../src/schema/changes.js'
import { diffSchemas } from '../../../src/schema/diff.js'
import type { Column, Schema, Table } from '../../../src/schema/model.js'
import { emptySchema } from '../../../src/schema/model.js'
import { openFile, runScript, tempDir } from './helpers.js'

const temp = tempDir('plan')
afterAll(() => temp.cleanup())

const col = (name: string, type: string, extra: Partial<Column> = {}): Column => ({ name, type, nullable: true, ...extra })
const table = (name: string, columns: Column[], extra: Partial<Table> = {}): Table => ({
  name,
  columns,
  indexes: [],
  uniques: [],
  foreignKeys: [],
  checks: [],
  options: {},
  ...extra,
})
const sqlOf = (plan: Plan) => plan.statements.map((s) => s.sql)

const users = table('users', [col('id', 'integer'), col('email', 'text', { nullable: false })], {
  primaryKey: { columns: ['id'] },
  indexes: [{ name: 'users_email', unique: true, parts: [{ column: 'email' }] }],
})

async function schemaOf(sql: string): Promise<Schema> {
  const driver = openFile(temp.dir)
  try {
    await runScript(driver, sql)
    return await driver.inspect()
  } finally {
    await driver.close()
  }
}

/** Applies `plan` in one Db transaction (as the runner does). */
async function apply(driver: SqliteDriver, plan: Plan): Promise<void> {
  await driver.db.transaction(async (tx) => {
    for (const s of plan.statements) await tx.exec(s.sql)
  })
}

/** Applies the reverse statements, newest first (as a down file does). */
async function revert(driver: SqliteDriver, plan: Plan): Promise<void> {
  await driver.db.transaction(async (tx) => {
    for (const s of [...plan.statements].reverse()) for (const r of s.reverse) await tx.exec(r)
  })
}

/** Opens a database built from `from`, plans the diff to `to`, and returns everything a test needs. */
async function scenario(from: string, to: string) {
  const driver = openFile(temp.dir)
  await runScript(driver, from)
  const current = await driver.inspect()
  const desired = await schemaOf(to)
  const { changes } = diffSchemas(current, desired, { capabilities: driver.capabilities })
  const plan = driver.plan(changes, { current, desired })
  return { driver, current, desired, plan }
}

describe('sqlite plan: exact SQL', () => {
  it('creates a table with its indexes, each reversible', () => {
    const plan = planChanges([{ kind: 'createTable', table: users }])
    expect(sqlOf(plan)).toEqual([
      'CREATE TABLE "users" (\n  "id" integer,\n  "email" text NOT NULL,\n  PRIMARY KEY ("id")\n)',
      'CREATE UNIQUE INDEX "users_email" ON "users" ("email")',
    ])
    expect(plan.statements.map((s) => s.reverse)).toEqual([['DROP TABLE "users"'], ['DROP INDEX "users_email"']])
    expect(plan.statements.map((s) => s.comment)).toEqual(['create table "users"', 'create index "users_email" on "users"'])
    expect(plan.transactional).toBe(true)
  })

  it('renders every column and constraint feature, quoting every identifier', () => {
    const t = table(
      'we"ird',
      [
        col('id', 'integer', { identity: { always: false } }),
        col('name', 'varchar(20)', { nullable: false, default: "'x'", collation: 'NOCASE' }),
        col('at', 'text', { default: "datetime('now')" }),
        col('total', 'real', { generated: { expression: 'id * 2', stored: true } }),
        col('parent', 'integer'),
      ],
      {
        primaryKey: { name: 'pk', columns: ['id'] },
        uniques: [{ name: 'u', columns: ['name', 'at'] }],
        checks: [{ name: 'c', expression: 'id > 0' }, { expression: 'length(name) < 20' }],
        foreignKeys: [
          { columns: ['parent'], refTable: 'we"ird', refColumns: ['id'], onDelete: 'CASCADE', onUpdate: 'NO ACTION', deferrable: 'DEFERRED' },
        ],
        options: { strict: true },
      },
    )
    expect(sqlOf(planChanges([{ kind: 'createTable', table: t }]))).toEqual([
      'CREATE TABLE "we""ird" (\n' +
        '  "id" integer CONSTRAINT "pk" PRIMARY KEY AUTOINCREMENT,\n' +
        '  "name" varchar(20) NOT NULL DEFAULT \'x\' COLLATE "NOCASE",\n' +
        '  "at" text DEFAULT (datetime(\'now\')),\n' +
        '  "total" real GENERATED ALWAYS AS (id * 2) STORED,\n' +
        '  "parent" integer,\n' +
        '  CONSTRAINT "u" UNIQUE ("name", "at"),\n' +
        '  CONSTRAINT "c" CHECK (id > 0),\n' +
        '  CHECK (length(name) < 20),\n' +
        '  FOREIGN KEY ("parent") REFERENCES "we""ird" ("id") ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED\n' +
        ') STRICT',
    ])
  })

  it('uses ALTER TABLE for add, rename and drop column and index changes', () => {
    const to = table('users', [col('id', 'integer'), col('mail', 'text', { nullable: false }), col('age', 'int', { default: '0', nullable: false })], {
      primaryKey: { columns: ['id'] },
      indexes: [{ name: 'users_age', unique: false, parts: [{ column: 'age', desc: true }], where: 'age > 0' }],
    })
    const change: Change = {
      kind: 'alterTable',
      from: users,
      to,
      changes: [
        { kind: 'dropIndex', index: users.indexes[0]! },
        { kind: 'renameColumn', from: users.columns[1]!, to: to.columns[1]! },
        { kind: 'addColumn', column: to.columns[2]! },
        { kind: 'addIndex', index: to.indexes[0]! },
      ],
    }
    const plan = planChanges([change])
    expect(sqlOf(plan)).toEqual([
      'DROP INDEX "users_email"',
      'ALTER TABLE "users" RENAME COLUMN "email" TO "mail"',
      'ALTER TABLE "users" ADD COLUMN "age" int NOT NULL DEFAULT 0',
      'CREATE INDEX "users_age" ON "users" ("age" DESC) WHERE age > 0',
    ])
    // The group's reverse rides on its last statement and undoes all of it, in order.
    expect(plan.statements.map((s) => s.reverse.length)).toEqual([0, 0, 0, 4])
    expect(plan.statements[3]!.reverse).toEqual([
      'DROP INDEX "users_age"',
      'ALTER TABLE "users" RENAME COLUMN "mail" TO "email"',
      'ALTER TABLE "users" DROP COLUMN "age"',
      'CREATE UNIQUE INDEX "users_email" ON "users" ("email")',
    ])
  })

  it('adds a column with its foreign key inline when SQLite allows it', () => {
    const to = table('users', [...users.columns, col('team_id', 'integer')], {
      primaryKey: users.primaryKey,
      indexes: users.indexes,
      foreignKeys: [{ columns: ['team_id'], refTable: 'teams', refColumns: ['id'], onDelete: 'SET NULL', onUpdate: 'NO ACTION' }],
    })
    const plan = planChanges([
      { kind: 'alterTable', from: users, to, changes: [{ kind: 'addColumn', column: to.columns[2]! }, { kind: 'addForeignKey', foreignKey: to.foreignKeys[0]! }] },
    ])
    expect(sqlOf(plan)).toEqual(['ALTER TABLE "users" ADD COLUMN "team_id" integer REFERENCES "teams" ("id") ON DELETE SET NULL'])
  })

  it('rebuilds when ALTER TABLE cannot express the change, keeping rows, indexes and triggers', () => {
    const from = table('tracks', [col('id', 'integer'), col('ms', 'text'), col('name', 'text')], {
      primaryKey: { columns: ['id'] },
      indexes: [{ name: 'tracks_name', unique: false, parts: [{ column: 'name' }] }],
    })
    const to = { ...from, columns: [from.columns[0]!, col('ms', 'integer', { nullable: false }), from.columns[2]!] }
    const trigger = { kind: 'trigger' as const, name: 'tracks_ai', table: 'tracks', definition: 'CREATE TRIGGER tracks_ai AFTER INSERT ON tracks BEGIN SELECT 1; END' }
    const current: Schema = { tables: [from], views: [], objects: [trigger] }
    const desired: Schema = { tables: [to], views: [], objects: [trigger] }
    const plan = planChanges(
      [{ kind: 'alterTable', from, to, changes: [{ kind: 'alterColumn', from: from.columns[1]!, to: to.columns[1]!, aspects: ['type', 'nullable'] }] }],
      { current, desired },
    )
    expect(sqlOf(plan)).toEqual([
      'PRAGMA legacy_alter_table=ON',
      'CREATE TABLE "_migrator_new_tracks" (\n  "id" integer,\n  "ms" integer NOT NULL,\n  "name" text,\n  PRIMARY KEY ("id")\n)',
      'INSERT INTO "_migrator_new_tracks" ("id", "ms", "name") SELECT "id", "ms", "name" FROM "tracks"',
      'DROP TABLE "tracks"',
      'ALTER TABLE "_migrator_new_tracks" RENAME TO "tracks"',
      'CREATE INDEX "tracks_name" ON "tracks" ("name")',
      'CREATE TRIGGER tracks_ai AFTER INSERT ON tracks BEGIN SELECT 1; END',
      'PRAGMA legacy_alter_table=OFF',
    ])
    expect(plan.statements[0]!.comment).toBe('rebuild table "tracks" (change type/nullable of column "ms"): keep views untouched by the rename')
    expect(plan.statements.every((s) => s.risks.includes('rewrite'))).toBe(true)
    // The reverse is the rebuild back to the old definition.
    expect(plan.statements[7]!.reverse[1]).toBe(
      'CREATE TABLE "_migrator_new_tracks" (\n  "id" integer,\n  "ms" text,\n  "name" text,\n  PRIMARY KEY ("id")\n)',
    )
  })

  it('copies rowids when no INTEGER PRIMARY KEY holds them', () => {
    const from = table('t', [col('a', 'text'), col('b', 'text')])
    const to = table('t', [col('a', 'text'), col('b', 'text', { nullable: false })])
    const plan = planChanges([{ kind: 'alterTable', from, to, changes: [{ kind: 'alterColumn', from: from.columns[1]!, to: to.columns[1]!, aspects: ['nullable'] }] }])
    expect(sqlOf(plan)[2]).toBe('INSERT INTO "_migrator_new_t" (rowid, "a", "b") SELECT rowid, "a", "b" FROM "t"')
  })

  it('drops with data-loss risk and a reverse that restores the structure', () => {
    const plan = planChanges([
      { kind: 'dropTable', table: users },
      { kind: 'alterTable', from: users, to: { ...users, columns: [users.columns[0]!], indexes: [] }, changes: [{ kind: 'dropIndex', index: users.indexes[0]! }, { kind: 'dropColumn', column: users.columns[1]! }] },
    ])
    expect(plan.statements[0]).toMatchObject({
      sql: 'DROP TABLE "users"',
      risks: ['data-loss'],
      reverse: ['CREATE TABLE "users" (\n  "id" integer,\n  "email" text NOT NULL,\n  PRIMARY KEY ("id")\n)', 'CREATE UNIQUE INDEX "users_email" ON "users" ("email")'],
    })
    expect(plan.statements[2]).toMatchObject({ sql: 'ALTER TABLE "users" DROP COLUMN "email"', risks: ['data-loss'] })
    // NOT NULL without a default cannot come back with ADD COLUMN: the reverse rebuilds.
    expect(plan.statements[2]!.reverse).toContain('PRAGMA legacy_alter_table=ON')
    expect(plan.statements[2]!.reverse.slice(-2)).toEqual([
      'CREATE UNIQUE INDEX "users_email" ON "users" ("email")',
      'PRAGMA legacy_alter_table=OFF',
    ])
  })

  it('emits views, triggers and virtual tables verbatim and drops triggers IF EXISTS', () => {
    const view = { name: 'v', definition: 'CREATE VIEW v AS SELECT 1' }
    const trigger = { kind: 'trigger' as const, name: 'tr', table: 't', definition: 'CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END' }
    const fts = { kind: 'other' as const, name: 'docs', definition: 'CREATE VIRTUAL TABLE docs USING fts5(body)' }
    const plan = planChanges([
      { kind: 'createView', view },
      { kind: 'dropObject', object: trigger },
      { kind: 'createObject', object: fts },
      { kind: 'dropView', view },
    ])
    expect(plan.statements.map((s) => [s.sql, s.reverse])).toEqual([
      ['CREATE VIEW v AS SELECT 1', ['DROP VIEW "v"']],
      ['DROP TRIGGER IF EXISTS "tr"', [trigger.definition]],
      [fts.definition, ['DROP TABLE "docs"']],
      ['DROP VIEW "v"', ['CREATE VIEW v AS SELECT 1']],
    ])
  })

  it('refuses objects SQLite does not have', () => {
    expect(() => planChanges([{ kind: 'createObject', object: { kind: 'enum', name: 'mood', definition: "CREATE TYPE mood AS ENUM ('a')" } }])).toThrow(
      /SQLite has no enum objects \(mood\)/,
    )
  })
})

describe('sqlite plan: applied to a real database', () => {
  const chinookish = `
CREATE TABLE artists (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL);
CREATE TABLE albums (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  title TEXT,
  artist_id INTEGER NOT NULL REFERENCES artists (id),
  note TEXT,
  updated TEXT
);
CREATE INDEX albums_title ON albums (title COLLATE NOCASE) WHERE title IS NOT NULL;
CREATE TABLE tracks (
  id INTEGER PRIMARY KEY,
  album_id INTEGER NOT NULL REFERENCES albums (id) ON DELETE CASCADE,
  ms TEXT
);
CREATE VIEW album_sizes AS SELECT a.title, count(t.id) AS n FROM albums a LEFT JOIN tracks t ON t.album_id = a.id GROUP BY a.id;
CREATE TABLE log (msg TEXT);
CREATE TRIGGER albums_ai AFTER INSERT ON albums BEGIN INSERT INTO log VALUES ('added ' || new.title); END;
CREATE TRIGGER albums_au AFTER UPDATE OF title ON albums BEGIN UPDATE albums SET updated = 'yes' WHERE id = new.id; END;
`
  const seed = `
INSERT INTO artists (name) VALUES ('AC/DC'), ('Accept');
INSERT INTO albums (title, artist_id, note) VALUES ('For Those About To Rock', 1, 'n1'), ('Balls to the Wall', 2, NULL), ('Restless', 2, 'n3');
INSERT INTO tracks (album_id, ms) VALUES (1, '343719'), (1, '342562'), (2, '230619'), (3, '252051');
`
  const rows = async (driver: SqliteDriver) => ({
    albums: await driver.db.query('SELECT id, title, artist_id FROM albums ORDER BY id'),
    tracks: await driver.db.query('SELECT id, album_id, CAST(ms AS TEXT) AS ms FROM tracks ORDER BY id'),
    view: await driver.db.query('SELECT * FROM album_sizes ORDER BY title'),
  })

  it('rebuilds a table that has triggers, a view over it and cascading children; rows survive both ways', async () => {
    const target = chinookish.replace('title TEXT,', "title VARCHAR(200) NOT NULL DEFAULT '',").replace('  note TEXT,\n', '')
    const { driver, current, desired, plan } = await scenario(chinookish, target)
    try {
      await runScript(driver, seed)
      // Raise the AUTOINCREMENT counter above the largest id: the rebuild must keep it.
      await runScript(driver, "INSERT INTO albums (title, artist_id) VALUES ('gone', 1); DELETE FROM albums WHERE title = 'gone'; DELETE FROM log;")
      const before = await rows(driver)
      expect(before.tracks).toHaveLength(4)
      expect(sqlOf(plan)).toContain('DROP TABLE "albums"')

      await apply(driver, plan)
      expect(await driver.inspect()).toEqual(desired)
      expect(await rows(driver)).toEqual(before) // children of the dropped table kept (foreign keys were off)
      expect(await driver.db.query('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 1 }]) // and are back on
      // Triggers were recreated: they fire on the rebuilt table.
      await driver.db.exec("INSERT INTO albums (title, artist_id) VALUES ('Let There Be Rock', 1)")
      expect(await driver.db.query('SELECT msg FROM log')).toEqual([{ msg: 'added Let There Be Rock' }])
      expect(await driver.db.query("SELECT id FROM albums WHERE title = 'Let There Be Rock'")).toEqual([{ id: 5 }])
      await driver.db.exec("UPDATE albums SET title = 'Restless and Wild' WHERE id = 3")
      expect(await driver.db.query('SELECT updated FROM albums WHERE id = 3')).toEqual([{ updated: 'yes' }])
      // The cascade still works against the rebuilt parent.
      await driver.db.exec('DELETE FROM albums WHERE id = 1')
      expect(await driver.db.query('SELECT count(*) AS n FROM tracks WHERE album_id = 1')).toEqual([{ n: 0 }])
      await driver.db.exec('INSERT INTO albums (id, title, artist_id) VALUES (1, \'For Those About To Rock\', 1)')
      await driver.db.exec("INSERT INTO tracks (id, album_id, ms) VALUES (1, 1, '343719'), (2, 1, '342562')")
      await driver.db.exec('DELETE FROM albums WHERE id = 5')
      await driver.db.exec("UPDATE albums SET title = 'Restless', updated = NULL WHERE id = 3")

      await revert(driver, plan)
      expect(await driver.inspect()).toEqual(current)
      expect(await rows(driver)).toEqual(before)
    } finally {
      await driver.close()
    }
  })

  it('changes a column type with data present, converting values by the new affinity', async () => {
    const { driver, desired, plan } = await scenario(chinookish, chinookish.replace('ms TEXT', 'ms INTEGER NOT NULL DEFAULT 0'))
    try {
      await runScript(driver, seed)
      await apply(driver, plan)
      expect(await driver.inspect()).toEqual(desired)
      expect(await driver.db.query('SELECT id, ms, typeof(ms) AS t FROM tracks ORDER BY id LIMIT 2')).toEqual([
        { id: 1, ms: 343719, t: 'integer' },
        { id: 2, ms: 342562, t: 'integer' },
      ])
      expect(plan.statements[1]!.comment).toBe('rebuild table "tracks" (change type/nullable/default of column "ms"): create the new table')
    } finally {
      await driver.close()
    }
  })

  it('round-trips the ALTER TABLE path (add, drop column, add index) on a table with rows', async () => {
    const target = chinookish
      .replace('  note TEXT,\n', '')
      .replace('  updated TEXT\n', '  updated TEXT,\n  rating INT DEFAULT 3\n')
      .replace('CREATE TABLE log (msg TEXT);', 'CREATE TABLE log (msg TEXT, at TEXT);\nCREATE INDEX log_at ON log (at);')
    const { driver, current, desired, plan } = await scenario(chinookish, target)
    try {
      await runScript(driver, seed)
      expect(sqlOf(plan)).toEqual([
        'ALTER TABLE "albums" DROP COLUMN "note"',
        'ALTER TABLE "albums" ADD COLUMN "rating" int DEFAULT 3',
        'ALTER TABLE "log" ADD COLUMN "at" text',
        'CREATE INDEX "log_at" ON "log" ("at")',
      ])
      const before = await rows(driver)
      await apply(driver, plan)
      expect(await driver.inspect()).toEqual(desired)
      expect(await driver.db.query('SELECT rating FROM albums WHERE id = 1')).toEqual([{ rating: 3 }])
      await revert(driver, plan)
      // ADD COLUMN appends, so "note" comes back last: the same structure, which the differ confirms.
      expect(diffSchemas(await driver.inspect(), current).changes).toEqual([])
      expect(await rows(driver)).toEqual(before)
    } finally {
      await driver.close()
    }
  })

  it('fails loudly, and changes nothing, when a rebuild adds a NOT NULL column without default to a table with rows', async () => {
    const { driver, current, plan } = await scenario(chinookish, chinookish.replace('ms TEXT', 'ms TEXT,\n  bytes INTEGER NOT NULL'))
    try {
      await runScript(driver, seed)
      await expect(apply(driver, plan)).rejects.toThrow(/NOT NULL constraint failed: _migrator_new_tracks\.bytes/)
      expect(await driver.inspect()).toEqual(current)
      expect(await driver.db.query('SELECT count(*) AS n FROM tracks')).toEqual([{ n: 4 }])
    } finally {
      await driver.close()
    }
  })

  it('rolls back a rebuild that leaves a dangling foreign key, naming table, row and parent', async () => {
    const from = 'CREATE TABLE parent (id INTEGER PRIMARY KEY);\nCREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INT);'
    const to = 'CREATE TABLE parent (id INTEGER PRIMARY KEY);\nCREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INT REFERENCES parent (id));'
    const { driver, current, plan } = await scenario(from, to)
    try {
      await runScript(driver, 'INSERT INTO parent VALUES (1); INSERT INTO child VALUES (10, 1), (11, 2);')
      await expect(apply(driver, plan)).rejects.toThrow('foreign key check failed: row 11 of "child" references a missing row of "parent"')
      expect(await driver.inspect()).toEqual(current)
    } finally {
      await driver.close()
    }
  })

  it('creates from empty and reverts to empty', async () => {
    const { driver, desired, plan } = await scenario('', chinookish)
    try {
      await apply(driver, plan)
      expect(await driver.inspect()).toEqual(desired)
      await revert(driver, plan)
      expect(await driver.inspect()).toEqual(emptySchema)
    } finally {
      await driver.close()
    }
  })
})
