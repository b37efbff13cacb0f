import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { writeSum } from '../../src/migrations/sum.js'
import { dumpSqlite } from '../helpers/sqlite-dump.js'
import { cli } from './harness.js'
import { reliabilitySet, writeMigrations } from './migrations.js'
import { createTarget, DIALECTS, reachable, type DialectName, type Target } from './targets.js'

const available = new Map(await Promise.all(DIALECTS.map(async (d) => [d, await reachable(d)] as const)))
const work = mkdtempSync(path.join(os.tmpdir(), 'migrator-restore-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** Objects beyond the migrations that a backup must carry: a partitioned table (PostgreSQL), a view, a trigger, a routine. */
const EXTRAS: Record<DialectName, string> = {
  sqlite: `CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 10;
CREATE TRIGGER audit_stamp AFTER INSERT ON audit BEGIN UPDATE audit SET note = coalesce(note, 'stamped') WHERE id = NEW.id; END;`,
  postgres: `CREATE TABLE events (id int NOT NULL, at date NOT NULL, payload text, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
INSERT INTO events VALUES (1, '2024-03-01', E'line\\nbreak\\ttab'), (2, '2025-03-01', NULL), (3, '2025-12-31', 'ünï 中文');
CREATE SCHEMA reports;
CREATE TABLE reports.daily (day date PRIMARY KEY, n bigint DEFAULT 9223372036854775807);
INSERT INTO reports.daily (day) VALUES ('2024-01-01');
CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 10;`,
  mysql: `CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 10;
CREATE TRIGGER audit_stamp BEFORE INSERT ON audit FOR EACH ROW SET NEW.note = coalesce(NEW.note, 'stamped');
CREATE PROCEDURE order_count() SELECT count(*) FROM orders;`,
}

/** What comes after the backup and must be gone after the restore: a table `c`, changed rows, a dropped column, a new schema, view, routine. */
const DAMAGE: Record<DialectName, string> = {
  sqlite: `CREATE TABLE c (id int PRIMARY KEY, v text);
INSERT INTO c VALUES (1, 'after');
INSERT INTO users (id, email) VALUES (99, 'late@example.com');
DELETE FROM orders WHERE id = 1;
ALTER TABLE tags DROP COLUMN color;
DROP VIEW big_orders;
CREATE VIEW later_view AS SELECT * FROM c;`,
  postgres: `CREATE TABLE c (id int PRIMARY KEY, v text);
INSERT INTO c VALUES (1, 'after');
INSERT INTO users (id, email) VALUES (99, 'late@example.com');
DELETE FROM orders WHERE id = 1;
ALTER TABLE tags DROP COLUMN color;
INSERT INTO events VALUES (4, '2024-07-01', 'late');
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
DROP SCHEMA reports CASCADE;
CREATE SCHEMA later;
CREATE TABLE later.x (i int);
CREATE TYPE mood AS ENUM ('ok');`,
  mysql: `CREATE TABLE c (id int PRIMARY KEY, v text);
INSERT INTO c VALUES (1, 'after');
INSERT INTO users (id, email) VALUES (99, 'late@example.com');
DELETE FROM orders WHERE id = 1;
ALTER TABLE tags DROP COLUMN color;
DROP VIEW big_orders;
CREATE VIEW later_view AS SELECT * FROM c;
CREATE PROCEDURE later_proc() SELECT 1;
DROP PROCEDURE order_count;`,
}

/** Everything a restore must give back, history included. */
async function everything(target: Target): Promise<string> {
  return target.dialect === 'sqlite' ? dumpSqlite(target.parsed.file!) : target.snapshot()
}

describe('restore gives exactly the backed-up database', () => {
  for (const dialect of DIALECTS) {
    it.skipIf(available.get(dialect) !== true)(`on ${dialect}${dialect === 'postgres' ? ', a partitioned table included' : ''}: objects created after the backup are gone, and the next migration creating one of them applies`, async () => {
      const set = reliabilitySet(dialect)
      const dir = path.join(work, dialect)
      await writeMigrations(path.join(dir, 'migrations'), set)
      const target = await createTarget(dialect, dir)
      try {
        expect((await cli(dir, target, ['up', '--force'])).code).toBe(0)
        await target.exec(EXTRAS[dialect])
        const backup = await cli(dir, target, ['backup', '--json'])
        expect(backup.code, backup.stderr).toBe(0)
        const file = (JSON.parse(backup.stdout) as { backup: { file: string } }).backup.file
        const before = await everything(target)

        await target.exec(DAMAGE[dialect])
        expect(await everything(target)).not.toBe(before)
        const restored = await cli(dir, target, ['restore', file, '--yes'])
        expect(restored.code, restored.stderr).toBe(0)
        expect((await everything(target)) === before, 'the restored database differs from the backed-up one').toBe(true)

        // The table created after the backup is gone, so a migration creating it applies (before: "relation c already exists").
        writeFileSync(path.join(dir, 'migrations', '20240101000009_create_c.up.sql'), 'CREATE TABLE c (id int PRIMARY KEY);\n')
        writeFileSync(path.join(dir, 'migrations', '20240101000009_create_c.down.sql'), 'DROP TABLE c;\n')
        await writeSum(path.join(dir, 'migrations'))
        const up = await cli(dir, target, ['up', '--force'])
        expect(up.code, up.stderr).toBe(0)
        expect((await target.history()).map((r) => r.version)).toEqual([...set.map((m) => m.version), '20240101000009'])
      } finally {
        await target.drop()
      }
    }, 300_000)
  }

  it.skipIf(available.get('postgres') !== true)('a PostgreSQL archive that breaks off midway restores nothing: the schemas dropped first come back', async () => {
    const dir = path.join(work, 'broken')
    mkdirSync(dir, { recursive: true })
    const target = await createTarget('postgres', dir)
    try {
      await target.exec("CREATE TABLE keep (id int PRIMARY KEY, v text); INSERT INTO keep SELECT g, repeat('v', 200) FROM generate_series(1, 2000) g")
      const backup = await cli(dir, target, ['backup', '--json'])
      expect(backup.code, backup.stderr).toBe(0)
      const file = (JSON.parse(backup.stdout) as { backup: { file: string } }).backup.file
      await target.exec("CREATE TABLE later (id int); INSERT INTO later VALUES (7); DELETE FROM keep WHERE id > 1000")
      const before = await target.snapshot()
      // The table of contents is at the start, so the listing reads; the rows break off.
      const truncated = path.join(dir, 'truncated.backup')
      const bytes = readFileSync(file)
      writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.8)))
      const failed = await cli(dir, target, ['restore', truncated, '--yes'])
      expect(failed.code).toBe(1)
      expect(failed.stderr).toMatch(/^error: pg_restore failed .*; the restore was rolled back, the database is as it was$/m)
      expect((await target.snapshot()) === before, 'a failed restore changed the database').toBe(true)
    } finally {
      await target.drop()
    }
  }, 300_000)
})
