import { readdirSync } from 'node:fs'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { execSqlite } from '../helpers/sqlite-dump.js'
import { createTestDatabase, pgAvailable, type TestDatabase } from '../helpers/postgres.js'
import { tempProject, type TempProject } from './helpers.js'

const available = await pgAvailable()

/** The `--   <numbers>. <label>` lines of a generated header, by statement number. */
function headerLabels(up: string): Map<number, string> {
  const labels = new Map<number, string>()
  const changes = up.split('-- Changes:\n')[1]?.split(/\n-- (?!  )/)[0] ?? ''
  for (const line of changes.split('\n')) {
    const match = /^--   ([\d, -]+)\. (.*)$/.exec(line)
    if (match === null) continue
    for (const part of match[1]!.split(', ')) {
      const [from, to = from] = part.split('-').map(Number)
      for (let n = from!; n <= to!; n++) labels.set(n, match[2]!)
    }
  }
  return labels
}

/** The statements after the header, numbered from 1. */
function statementsOf(up: string): string[] {
  return up.split('\n\n').slice(1).map((s) => s.trim()).filter((s) => s !== '')
}

function upFile(project: TempProject, slug: string): string {
  const name = readdirSync(path.join(project.dir, 'migrations')).find((f) => f.endsWith(`_${slug}.up.sql`))!
  return project.read(path.join('migrations', name))
}

describe.skipIf(!available)('generated headers label statements by what they do (PostgreSQL)', () => {
  let database: TestDatabase
  let project: TempProject

  beforeAll(async () => {
    database = await createTestDatabase('mt_cli_hdr')
    project = tempProject({
      'schema.sql': [
        'CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL UNIQUE);',
        'CREATE TABLE products (id serial PRIMARY KEY, name text);',
        'CREATE TABLE orders (id serial PRIMARY KEY, user_id int NOT NULL REFERENCES users (id));',
        'CREATE INDEX orders_user ON orders (user_id);',
        'CREATE TABLE order_items (order_id int REFERENCES orders (id), product_id int REFERENCES products (id), qty int CHECK (qty > 0), PRIMARY KEY (order_id, product_id));',
        '',
      ].join('\n'),
      'migrations/.keep': '',
    })
  })

  afterAll(async () => {
    project?.remove()
    await database?.drop()
  })

  it('foreign keys added after every table exist are labelled as foreign keys of their table', { timeout: 120_000 }, async () => {
    const result = await project.run(['diff', 'shop', '--url', database.url.raw, '--to', 'schema.sql'])
    expect(result.code, result.stderr).toBe(0)
    const up = upFile(project, 'shop')
    const labels = headerLabels(up)
    const statements = statementsOf(up)
    expect([...labels.keys()].sort((a, b) => a - b)).toEqual(statements.map((_, i) => i + 1))
    statements.forEach((sql, i) => {
      const label = labels.get(i + 1)!
      if (/ADD CONSTRAINT \S+ FOREIGN KEY/.test(sql)) expect(label, sql).toMatch(/foreign key \(\w+\) → public\.\w+/)
      if (/^CREATE INDEX/.test(sql)) expect(label, sql).toContain('index orders_user')
      if (/^CREATE TABLE/.test(sql)) expect(label, sql).toMatch(/^create table public\.\w+/)
    })
    // Each table's line names its foreign keys, and no name is quoted that needs no quotes.
    expect(up).toMatch(/^-- {3}[\d, -]+\. create table public\.order_items with foreign key \(order_id\) → public\.orders, foreign key \(product_id\) → public\.products$/m)
    expect(up.split('\n\n')[0]).not.toMatch(/"/)
  })
})

describe('generated headers and finding lines (SQLite)', () => {
  let project: TempProject
  afterEach(() => project?.remove())

  it('quote only names that need it, the same way in every line; findings print by their own severity', { timeout: 240_000 }, async () => {
    project = tempProject({
      'migrator.config.ts': "export default { url: 'sqlite:./app.db', dir: './migrations', target: './schema.sql' }\n",
      'schema.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\nCREATE TABLE "Order Details" (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id), qty INT);\nCREATE INDEX "by user" ON "Order Details" (user_id);\n',
    })
    expect((await project.run(['diff', 'init'])).code).toBe(0)
    const init = upFile(project, 'init')
    expect(init).toContain('--   1. create table users\n')
    expect(init).toContain('--   2-3. create table "Order Details" with index "by user", foreign key (user_id) → users\n')
    expect((await project.run(['up'])).code).toBe(0)
    execSqlite(`${project.dir}/app.db`, "INSERT INTO users VALUES (1, 'a@x'); INSERT INTO \"Order Details\" VALUES (1, 1, 5);")

    project.write('schema.sql', 'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT NOT NULL);\nCREATE TABLE "Order Details" (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id), qty BIGINT);\nCREATE INDEX "by user" ON "Order Details" (user_id);\n')
    const grow = await project.run(['diff', 'grow'])
    expect(grow.code, grow.stderr).toBe(0)
    const header = upFile(project, 'grow').split('\n\n')[0]!
    expect(header).toMatch(/--   1-\d+\. alter table "Order Details": change type of column qty\n/)
    expect(header).toMatch(/--   \d+-\d+\. alter table users: add column name\n/)
    expect(header).not.toMatch(/"users"|"qty"|"name"/)
    // MF102 is an error here (a row would get no value): printed as an error, never as "warning: … error".
    expect(grow.stderr).toMatch(/^error: MF102: adds NOT NULL column users\.name without a default/m)
    expect(grow.stderr).not.toMatch(/warning: .*\b(error|info):/)
    const dry = await project.run(['up', '--dry-run'])
    expect(dry.stderr).toMatch(/^error: MF102: /m)
    expect(dry.stderr).not.toMatch(/warning: .*\b(error|info):/)
  })
})
