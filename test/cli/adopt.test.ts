import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { availableDialects, createDatabase, type DialectKey, type HandMadeDatabase } from './dialect-databases.js'
import { tempProject, type CliResult, type TempProject } from './helpers.js'

const available = await availableDialects()

const LONG = 'ü'.repeat(300)

/** A hand-made schema per dialect (what adoption must reproduce) and rows that must stay as they are. */
const LIVE: Record<DialectKey, { schema: string; rows: string; read: readonly string[] }> = {
  postgres: {
    schema: `
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE users (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL UNIQUE, m mood DEFAULT 'happy', score numeric(20,4), created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE posts (id serial PRIMARY KEY, user_id integer REFERENCES users (id) ON DELETE CASCADE, title varchar(200) NOT NULL, body text);
CREATE INDEX posts_user ON posts (user_id);
CREATE VIEW user_posts AS SELECT u.email, p.title FROM users u JOIN posts p ON p.user_id = u.id;
CREATE FUNCTION trim_title() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.title := trim(NEW.title); RETURN NEW; END $$;
CREATE TRIGGER posts_trim BEFORE INSERT ON posts FOR EACH ROW EXECUTE FUNCTION trim_title();
`,
    rows: `
INSERT INTO users (email, m, score, created_at) VALUES ('a@x', 'sad', 9999999999999999.9999, '2024-01-02 03:04:05+00'), ('${LONG}', NULL, NULL, '1970-01-01 00:00:00+00');
INSERT INTO posts (user_id, title, body) VALUES (1, '  hello  ', NULL), (2, 'ünï', '${LONG}');
`,
    read: ['SELECT id, email, m, score::text AS score, created_at::text AS created_at FROM users ORDER BY id', 'SELECT id, user_id, title, body FROM posts ORDER BY id'],
  },
  mariadb: {
    schema: `
CREATE TABLE users (id int AUTO_INCREMENT PRIMARY KEY, email varchar(190) NOT NULL UNIQUE, status ENUM('a', 'b') DEFAULT 'a', score decimal(20,4), created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP) ENGINE=InnoDB;
CREATE TABLE posts (id bigint AUTO_INCREMENT PRIMARY KEY, user_id int, title varchar(200) NOT NULL, body text, KEY posts_user (user_id), CONSTRAINT posts_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE) ENGINE=InnoDB;
CREATE VIEW user_posts AS SELECT u.email, p.title FROM users u JOIN posts p ON p.user_id = u.id;
`,
    rows: `
INSERT INTO users (email, status, score, created_at) VALUES ('a@x', 'b', 9999999999999999.9999, '2024-01-02 03:04:05'), ('${LONG.slice(0, 190)}', NULL, NULL, '1999-12-31 23:59:59');
INSERT INTO posts (user_id, title, body) VALUES (1, 'hello', NULL), (2, 'ünï', '${LONG}');
`,
    read: ['SELECT id, email, status, CAST(score AS CHAR) AS score, CAST(created_at AS CHAR) AS created_at FROM users ORDER BY id', 'SELECT id, user_id, title, body FROM posts ORDER BY id'],
  },
  sqlite: {
    schema: `
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT DEFAULT 'anon', score REAL);
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id) ON DELETE CASCADE, title TEXT NOT NULL, body TEXT);
CREATE INDEX posts_user ON posts (user_id);
CREATE VIEW user_posts AS SELECT u.email, p.title FROM users u JOIN posts p ON p.user_id = u.id;
CREATE TRIGGER posts_trim AFTER INSERT ON posts BEGIN UPDATE posts SET title = trim(title) WHERE id = NEW.id; END;
`,
    rows: `
INSERT INTO users (id, email, name, score) VALUES (1, 'a@x', NULL, 9007199254740991), (2, '${LONG}', 'ünï', -1.5);
INSERT INTO posts (id, user_id, title, body) VALUES (10, 1, '  hello  ', NULL), (11, 2, 'x', '${LONG}');
`,
    read: ['SELECT id, email, name, score FROM users ORDER BY id', 'SELECT id, user_id, title, body FROM posts ORDER BY id'],
  },
}

function expectOneErrorLine(result: CliResult, pattern: RegExp): void {
  expect(result.code, result.stdout + result.stderr).toBe(1)
  const lines = result.stderr.trim().split('\n')
  expect(lines).toHaveLength(1)
  expect(lines[0]).toMatch(/^error: /)
  expect(lines[0]).toMatch(pattern)
  expect(result.stderr).not.toMatch(/\n\s+at /)
}

/** Every file of a project directory (recursively), with its content, except the SQLite database. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {}
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name)
      if (entry.isDirectory()) walk(full)
      else if (!entry.name.endsWith('.db')) files[path.relative(dir, full)] = readFileSync(full, 'utf8')
    }
  }
  walk(dir)
  return files
}

async function readRows(db: HandMadeDatabase, dialect: DialectKey): Promise<unknown[][]> {
  return Promise.all(LIVE[dialect].read.map((sql) => db.query(sql)))
}

const cleanup: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn()
})

async function database(dialect: DialectKey, prefix: string): Promise<HandMadeDatabase> {
  const db = await createDatabase(dialect, prefix)
  cleanup.push(() => db.drop())
  return db
}

function project(files: Readonly<Record<string, string>> = {}): TempProject {
  const p = tempProject(files)
  cleanup.push(() => p.remove())
  return p
}

for (const dialect of ['postgres', 'mariadb', 'sqlite'] as const) {
  describe.skipIf(!available[dialect])(`init --from-live on ${dialect}, through the built CLI`, () => {
    it('adopts a hand-made database with rows: schema.sql, a baseline recorded as applied, clean diff and status, rows untouched', { timeout: 300_000 }, async () => {
      const live = await database(dialect, 'adopt')
      await live.exec(LIVE[dialect].schema)
      await live.exec(LIVE[dialect].rows)
      const before = await readRows(live, dialect)
      expect(before[0]).toHaveLength(2)

      const app = project()
      const adopted = await app.run(['init', '--from-live', '--url', live.url])
      expect(adopted.code, adopted.stderr).toBe(0)
      const migrations = readdirSync(path.join(app.dir, 'migrations')).sort()
      expect(migrations).toEqual([
        expect.stringMatching(/^\d{14}_baseline\.down\.sql$/),
        expect.stringMatching(/^\d{14}_baseline\.up\.sql$/),
        'migrator.sum',
      ])
      const version = migrations[0]!.slice(0, 14)
      expect(app.read('migrator.config.ts')).toContain(live.url)
      const schemaSql = app.read('schema.sql')
      expect(schemaSql).toMatch(/CREATE TABLE [`"]?(public[`"]?\.[`"]?)?users/)
      // Dependency order: a table before the view and the foreign key that need it.
      expect(schemaSql.indexOf('users')).toBeLessThan(schemaSql.indexOf('VIEW'))
      const up = app.read(`migrations/${version}_baseline.up.sql`)
      expect(up).toMatch(/CREATE TABLE/)
      expect(app.read(`migrations/${version}_baseline.down.sql`)).toMatch(/DROP TABLE/)
      expect(app.read('migrations/migrator.sum')).toContain(`${version}_baseline.up.sql`)

      // Recorded, not run: one `baseline` row, and every row as it was.
      expect(await live.query('SELECT version, name, status FROM migrator_history')).toEqual([{ version, name: 'baseline', status: 'baseline' }])
      expect(await readRows(live, dialect)).toEqual(before)

      const diff = await app.run(['diff', '--check'])
      expect(diff.code, diff.stderr).toBe(0)
      expect(diff.stdout.trim()).toBe('No changes')
      const status = await app.run(['status', '--check', '--json'])
      expect(status.code, status.stdout + status.stderr).toBe(0)
      const report = JSON.parse(status.stdout) as { migrations: { version: string; state: string }[]; drift: string[]; ungenerated: string[] }
      expect(report.migrations).toEqual([expect.objectContaining({ version, state: 'baseline' })])
      expect(report.drift).toEqual([])
      expect(report.ungenerated).toEqual([])
      expect((await app.run(['validate'])).code).toBe(0)
      const noop = await app.run(['up'])
      expect(noop.code).toBe(0)
      expect(noop.stdout + noop.stderr).toMatch(/No pending migrations/)

      // down never reverts a baseline: its down would drop what the database held before migrator.
      expectOneErrorLine(await app.run(['down', '--allow-data-loss']), /nothing to revert: \d{14}_baseline is a baseline/)
      expect(await readRows(live, dialect)).toEqual(before)

      // Running it again refuses: migrations exist and schema.sql would be overwritten; nothing changes.
      const files = snapshot(app.dir)
      expectOneErrorLine(await app.run(['init', '--from-live']), /init --from-live: migrations already holds 2 migration files .*nothing was written/)
      expect(snapshot(app.dir)).toEqual(files)
      expect(await live.query('SELECT version FROM migrator_history')).toEqual([{ version }])

      // A new empty database that runs the migrations ends with the same schema.
      const fresh = await database(dialect, 'adoptfresh')
      const applied = await app.run(['up', '--url', fresh.url])
      expect(applied.code, applied.stderr).toBe(0)
      expect((await app.run(['diff', '--check', '--url', fresh.url])).code).toBe(0)
      const liveSchema = await app.run(['inspect', '--format', 'json'])
      const freshSchema = await app.run(['inspect', '--format', 'json', '--url', fresh.url])
      expect(JSON.parse(freshSchema.stdout)).toEqual(JSON.parse(liveSchema.stdout))
      expect((await app.run(['status', '--check', '--url', fresh.url])).code).toBe(0)
    })

    it('refuses, writing nothing, when schema.sql exists or the database is empty', { timeout: 120_000 }, async () => {
      const live = await database(dialect, 'adoptno')
      await live.exec(LIVE[dialect].schema)
      const declared = project({ 'schema.sql': 'CREATE TABLE mine (id INTEGER PRIMARY KEY);\n' })
      expectOneErrorLine(await declared.run(['init', '--from-live', '--url', live.url]), /schema\.sql exists and would be overwritten; .*nothing was written/)
      expect(snapshot(declared.dir)).toEqual({ 'schema.sql': 'CREATE TABLE mine (id INTEGER PRIMARY KEY);\n' })
      expect(await live.query('SELECT 1 AS one FROM users WHERE 1 = 0')).toEqual([])
      await expect(live.query('SELECT version FROM migrator_history')).rejects.toThrow()

      // What plain `migrator init` scaffolds holds nothing yet: adoption replaces it.
      const scaffolded = project()
      expect((await scaffolded.run(['init', '--url', live.url])).code).toBe(0)
      const adopted = await scaffolded.run(['init', '--from-live'])
      expect(adopted.code, adopted.stderr).toBe(0)
      expect(scaffolded.read('schema.sql')).toMatch(/CREATE TABLE/)

      const empty = await database(dialect, 'adoptempty')
      if (dialect === 'sqlite') await empty.exec('PRAGMA user_version = 1') // the file exists, with no tables
      const nothing = project()
      expectOneErrorLine(await nothing.run(['init', '--from-live', '--url', empty.url]), /holds no tables, views or other objects.*nothing to adopt.*nothing was written/)
      expect(snapshot(nothing.dir)).toEqual({})
    })

    it('baseline at a version without a file: older migrations count as applied, newer ones run, out-of-order ones are refused until allowed', { timeout: 300_000 }, async () => {
      const live = await database(dialect, 'baseline')
      const int = dialect === 'sqlite' ? 'INTEGER' : 'int'
      await live.exec(`CREATE TABLE users (id ${int} PRIMARY KEY, email varchar(100));`)
      await live.exec(`INSERT INTO users (id, email) VALUES (1, 'a@x'), (2, NULL), (3, '${LONG.slice(0, 100)}');`)
      const app = project({
        'migrations/20240101000000_users.up.sql': `CREATE TABLE users (id ${int} PRIMARY KEY, email varchar(100));\n`,
        'migrations/20240101000000_users.down.sql': 'DROP TABLE users;\n',
        'migrations/20240301000000_add_name.up.sql': "ALTER TABLE users ADD COLUMN name varchar(50) DEFAULT 'anon';\n",
        'migrations/20240301000000_add_name.down.sql': 'ALTER TABLE users DROP COLUMN name;\n',
      })
      const url = ['--url', live.url]
      expect((await app.run(['hash'])).code).toBe(0)
      expectOneErrorLine(await app.run(['baseline', '2024', ...url]), /<version>/)

      const recorded = await app.run(['baseline', '20240201000000', ...url])
      expect(recorded.code, recorded.stderr).toBe(0)
      expect(recorded.stdout + recorded.stderr).toMatch(/recorded 1 migration as applied without running it: 20240101000000_users/)
      const states = async () => (JSON.parse((await app.run(['status', '--json', ...url])).stdout) as { migrations: { version: string; state: string }[] }).migrations.map((m) => [m.version, m.state])
      expect(await states()).toEqual([['20240101000000', 'baseline'], ['20240201000000', 'baseline'], ['20240301000000', 'pending']])
      expect(await live.query('SELECT version, status FROM migrator_history ORDER BY version')).toEqual([
        { version: '20240101000000', status: 'baseline' },
        { version: '20240201000000', status: 'baseline' },
      ])
      expectOneErrorLine(await app.run(['baseline', '20240201000000', ...url]), /already has 2 rows/)

      const up = await app.run(['up', ...url])
      expect(up.code, up.stderr).toBe(0)
      expect(await live.query('SELECT id, email, name FROM users ORDER BY id')).toEqual([
        { id: 1, email: 'a@x', name: 'anon' }, { id: 2, email: null, name: 'anon' }, { id: 3, email: LONG.slice(0, 100), name: 'anon' },
      ])
      expect((await app.run(['status', '--check', ...url])).code).toBe(0)
      expect((await app.run(['validate', ...url])).code).toBe(0)

      // A file at or below the baseline that appears later counts as applied too (Flyway).
      app.write('migrations/20240115000000_below.up.sql', 'CREATE TABLE below_baseline (id INTEGER PRIMARY KEY);\n')
      app.write('migrations/20240115000000_below.down.sql', 'DROP TABLE below_baseline;\n')
      // One newer than the baseline but older than the newest applied: out of order.
      app.write('migrations/20240215000000_late.up.sql', `CREATE TABLE late (id ${int} PRIMARY KEY);\n`)
      app.write('migrations/20240215000000_late.down.sql', 'DROP TABLE late;\n')
      expect((await app.run(['hash'])).code).toBe(0)
      expect(await states()).toEqual([
        ['20240101000000', 'baseline'], ['20240115000000', 'baseline'], ['20240201000000', 'baseline'],
        ['20240215000000', 'out-of-order'], ['20240301000000', 'applied'],
      ])
      const status = await app.run(['status', '--check', ...url])
      expect(status.code).toBe(2)
      expect(status.stdout).toMatch(/Out of order: 20240215000000_late is older than the newest applied migration/)
      const validate = await app.run(['validate', ...url])
      expect(validate.code).toBe(2)
      expect(validate.stdout + validate.stderr).toMatch(/20240215000000_late is pending but older than the newest applied migration/)

      expectOneErrorLine(await app.run(['up', ...url]), /1 pending migration is older than 20240301000000.*20240215000000_late\.up\.sql; nothing was changed; .*--allow-out-of-order.*migrator rebase/)
      expect(await live.query('SELECT version FROM migrator_history ORDER BY version')).toHaveLength(3)
      const late = await app.run(['up', '--allow-out-of-order', ...url])
      expect(late.code, late.stderr).toBe(0)
      expect(await live.query('SELECT count(*) AS n FROM late')).toEqual([{ n: expect.anything() }])
      expect(await states()).toEqual([
        ['20240101000000', 'baseline'], ['20240115000000', 'baseline'], ['20240201000000', 'baseline'],
        ['20240215000000', 'applied'], ['20240301000000', 'applied'],
      ])
      await expect(live.query('SELECT id FROM below_baseline')).rejects.toThrow()
      expect((await live.query<{ id: number }>('SELECT id FROM users ORDER BY id')).map((r) => Number(r.id))).toEqual([1, 2, 3])
    })
  })
}

describe.skipIf(!available.postgres)('init --from-live on postgres with several schemas', () => {
  it('takes every schema holding tables into the config (not a platform-managed one), creates them in the baseline, and a fresh database gets the same schema', { timeout: 300_000 }, async () => {
    const live = await database('postgres', 'adoptms')
    await live.exec(`
CREATE SCHEMA auth;
CREATE TABLE auth.users (id uuid PRIMARY KEY, email text);
INSERT INTO auth.users VALUES ('00000000-0000-0000-0000-000000000001', 'é@x');
CREATE SCHEMA sales;
CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL);
CREATE TABLE sales.orders (id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, user_id bigint REFERENCES public.users (id), total numeric(12,2));
CREATE INDEX orders_user ON sales.orders (user_id);
INSERT INTO users (email) VALUES ('a@x'), ('${LONG}');
INSERT INTO sales.orders (user_id, total) VALUES (1, 9999999999.99), (NULL, NULL), (2, -0.01);
`)
    const read = () => live.query('SELECT id, user_id, total::text AS total FROM sales.orders ORDER BY id')
    const before = await read()
    const app = project()
    const adopted = await app.run(['init', '--from-live', '--url', live.url])
    expect(adopted.code, adopted.stderr).toBe(0)
    expect(app.read('migrator.config.ts')).toContain("schemas: ['public', 'sales'],")
    const version = readdirSync(path.join(app.dir, 'migrations')).sort()[0]!.slice(0, 14)
    const up = app.read(`migrations/${version}_baseline.up.sql`)
    expect(up.indexOf('CREATE SCHEMA IF NOT EXISTS "sales";')).toBeLessThan(up.indexOf('CREATE TABLE "sales"."orders"'))
    expect(app.read(`migrations/${version}_baseline.down.sql`)).toMatch(/DROP TABLE "sales"\."orders";[\s\S]*DROP SCHEMA "sales";/)
    expect(app.read('schema.sql')).toContain('CREATE SCHEMA IF NOT EXISTS "sales";')
    expect(await read()).toEqual(before)
    // Supabase's auth schema is the platform's: neither adopted nor touched.
    expect(up).not.toContain('auth')
    expect(await live.query('SELECT id::text, email FROM auth.users')).toEqual([{ id: '00000000-0000-0000-0000-000000000001', email: 'é@x' }])
    expect((await app.run(['diff', '--check'])).code).toBe(0)
    expect((await app.run(['status', '--check'])).code).toBe(0)

    const fresh = await database('postgres', 'adoptmsfresh')
    expect((await app.run(['up', '--url', fresh.url])).code).toBe(0)
    expect((await app.run(['diff', '--check', '--url', fresh.url])).code).toBe(0)
    const liveSchema = JSON.parse((await app.run(['inspect', '--format', 'json'])).stdout) as { tables: { schema: string; name: string }[] }
    expect(liveSchema.tables.map((t) => `${t.schema}.${t.name}`).sort()).toEqual(['public.users', 'sales.orders'])
    expect(JSON.parse((await app.run(['inspect', '--format', 'json', '--url', fresh.url])).stdout)).toEqual(liveSchema)
  })
})

describe('init --from-live with a schema module as the target', () => {
  it('writes schema.ts in the dialect normal form; diff and status agree with it', { timeout: 120_000 }, async () => {
    const live = await database('sqlite', 'adoptts')
    await live.exec(LIVE.sqlite.schema)
    await live.exec(LIVE.sqlite.rows)
    const before = await readRows(live, 'sqlite')
    const app = project()
    const adopted = await app.run(['init', '--from-live', '--url', live.url, '--to', './schema.ts'])
    expect(adopted.code, adopted.stderr).toBe(0)
    expect(app.read('migrator.config.ts')).toContain("target: './schema.ts'")
    expect(app.read('schema.ts')).toMatch(/^\/\/ The declared target schema[\s\S]*satisfies Schema\n$/)
    expect((await app.run(['diff', '--check'])).code).toBe(0)
    expect((await app.run(['status', '--check'])).code).toBe(0)
    expect(await readRows(live, 'sqlite')).toEqual(before)
  })
})
