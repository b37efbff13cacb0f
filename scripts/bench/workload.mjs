/**
 * The benchmark workloads, per dialect: a wide schema to inspect (N tables of 10 columns, a
 * primary key, 3 secondary indexes, 1 foreign key and 1 CHECK each) and a directory of small
 * migrations to apply (CREATE TABLE + INSERT + CREATE INDEX each).
 */
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { version } from './util.mjs'

const pad = (i) => String(i).padStart(4, '0')

const COLUMNS = {
  postgres: (t, parent) => [
    'id bigint PRIMARY KEY',
    `parent_id bigint REFERENCES ${parent} (id)`,
    'name text NOT NULL',
    'email varchar(255)',
    'amount numeric(12,2) NOT NULL DEFAULT 0',
    "status varchar(20) NOT NULL DEFAULT 'new'",
    'qty integer',
    'flag boolean NOT NULL DEFAULT false',
    'created_at timestamptz NOT NULL DEFAULT now()',
    'data jsonb',
    `CONSTRAINT ${t}_qty_nonneg CHECK (qty >= 0)`,
  ],
  mysql: (t, parent) => [
    'id bigint NOT NULL PRIMARY KEY',
    'parent_id bigint',
    'name varchar(100) NOT NULL',
    'email varchar(191)',
    'amount decimal(12,2) NOT NULL DEFAULT 0',
    "status varchar(20) NOT NULL DEFAULT 'new'",
    'qty int',
    'flag tinyint(1) NOT NULL DEFAULT 0',
    'created_at datetime NOT NULL DEFAULT CURRENT_TIMESTAMP',
    // Not JSON: MariaDB adds a json_valid CHECK to JSON columns, which would make it 2 CHECKs.
    'data text',
    `CONSTRAINT ${t}_parent_fk FOREIGN KEY (parent_id) REFERENCES ${parent} (id)`,
    `CONSTRAINT ${t}_qty_nonneg CHECK (qty >= 0)`,
  ],
  sqlite: (t, parent) => [
    'id INTEGER PRIMARY KEY',
    `parent_id INTEGER REFERENCES ${parent} (id)`,
    'name TEXT NOT NULL',
    'email TEXT',
    'amount NUMERIC NOT NULL DEFAULT 0',
    "status TEXT NOT NULL DEFAULT 'new'",
    'qty INTEGER',
    'flag INTEGER NOT NULL DEFAULT 0',
    'created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP',
    'data TEXT',
    `CONSTRAINT ${t}_qty_nonneg CHECK (qty >= 0)`,
  ],
}

/** DDL for `n` tables t0000…; each references the previous one (t0000 references itself). */
export function wideSchemaSql(dialect, n) {
  const parts = []
  for (let i = 0; i < n; i++) {
    const t = `t${pad(i)}`
    const parent = `t${pad(Math.max(0, i - 1))}`
    parts.push(`CREATE TABLE ${t} (\n  ${COLUMNS[dialect](t, parent).join(',\n  ')}\n)${dialect === 'mysql' ? ' ENGINE=InnoDB' : ''};`)
    parts.push(`CREATE INDEX ${t}_parent_idx ON ${t} (parent_id);`)
    parts.push(`CREATE UNIQUE INDEX ${t}_email_key ON ${t} (email);`)
    parts.push(`CREATE INDEX ${t}_status_created_idx ON ${t} (status, created_at);`)
  }
  return `${parts.join('\n')}\n`
}

/** `n` small migrations, portable across the three dialects. */
export function migrations(n) {
  const list = []
  for (let i = 1; i <= n; i++) {
    const t = `m${pad(i)}`
    list.push({
      version: version(i),
      slug: `create_${t}`,
      up:
        `CREATE TABLE ${t} (id integer PRIMARY KEY, name varchar(100) NOT NULL, created_at timestamp DEFAULT CURRENT_TIMESTAMP);\n` +
        `INSERT INTO ${t} (id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c');\n` +
        `CREATE INDEX ${t}_name_idx ON ${t} (name);\n`,
      down: `DROP TABLE ${t};\n`,
    })
  }
  return list
}

/** Writes the migration files into `dir` (migrator.sum is written by `migrator hash`). */
export async function writeMigrations(dir, list) {
  await mkdir(dir, { recursive: true })
  for (const m of list) {
    await writeFile(path.join(dir, `${m.version}_${m.slug}.up.sql`), m.up)
    await writeFile(path.join(dir, `${m.version}_${m.slug}.down.sql`), m.down)
  }
}

/**
 * The same migrations as one script: plain (for `psql -1`, `sqlite3` in one transaction, the
 * MariaDB client) or with each migration in its own BEGIN/COMMIT, the way migrator runs them.
 */
export function concatenated(list, { perMigrationTx = false, begin = 'BEGIN;', commit = 'COMMIT;' } = {}) {
  return list.map((m) => (perMigrationTx ? `${begin}\n${m.up}${commit}\n` : m.up)).join('')
}
