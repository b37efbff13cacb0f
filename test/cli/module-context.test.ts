import { execFile } from 'node:child_process'
import { mkdtemp, rm, symlink, writeFile, mkdir } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { MARIADB, POSTGRES, SQLITE, seedItems, type FreshDatabase } from '../backfill/databases.js'
import { ROOT, runCli } from './helpers.js'

/**
 * Issue 12: a `.ts` migration's context has `ctx.backfill` (documented, and typed in the exported
 * MigrationContext) and `ctx.knex` on every dialect, SQLite included, through the built CLI.
 */
const ROWS = 1500
/** Rows beyond the seeded ASCII ones: unicode, quotes and a long value, so each row's own value is checked. */
const EXTRA = ['naïve café 日本語 😀', `O'Reilly "quoted"`, 'x'.repeat(90)]

const MODULE = `import type { MigrationContext } from 'migrator'

export async function up(ctx: MigrationContext): Promise<void> {
  const counted = await ctx.knex('items').whereNull('name').count({ n: '*' })
  ctx.log(\`knex counts \${Number(counted[0]?.n)} rows to fill on \${ctx.dialect}\`)
  const set = ctx.dialect === 'mysql' ? "name = CONCAT(email, '!')" : "name = email || '!'"
  const result = await ctx.backfill({ table: 'items', set, where: 'name IS NULL', batch: 200, verify: 'name IS NULL' })
  ctx.log(\`backfilled \${result.rowsDone} rows in \${result.passes} pass\`)
}

export async function down(ctx: MigrationContext): Promise<void> {
  await ctx.knex('items').update({ name: null })
}
`

/** What must not type-check: a backfill without \`set\`, and a context member that does not exist. */
const BAD_MODULE = `import type { MigrationContext } from 'migrator'

export async function up(ctx: MigrationContext): Promise<void> {
  await ctx.backfill({ table: 'items', where: 'name IS NULL', batch: 200 })
  await ctx.schema.dropTable('items')
}
`

/** A hand-written schema module (issue 12's third item): defaults left out, checked with `satisfies SchemaModule`. */
const SCHEMA_MODULE = `import type { SchemaModule } from 'migrator'

export default {
  tables: [{ name: 'items', columns: [{ name: 'id', type: 'INTEGER' }, { name: 'email', type: 'VARCHAR(100)', nullable: false }], primaryKey: { columns: ['id'] } }],
} satisfies SchemaModule
`

/** What must not type-check: a misspelled key and a number for a type. */
const BAD_SCHEMA_MODULE = `import type { SchemaModule } from 'migrator'

export default {
  tables: [{ name: 'items', columns: [{ name: 'id', type: 'INTEGER', nulable: true }] }],
} satisfies SchemaModule
`

const dirs: string[] = []
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

async function projectDir(files: Readonly<Record<string, string>>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'migrator-module-ctx-'))
  dirs.push(dir)
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true })
    await writeFile(path.join(dir, name), text)
  }
  return dir
}

async function names(db: FreshDatabase): Promise<{ id: number; email: string; name: string | null }[]> {
  const q = (n: string) => db.driver.quoteIdent(n)
  const rows = await db.driver.db.query<{ id: unknown; email: string; name: string | null }>(`SELECT ${q('id')}, ${q('email')}, ${q('name')} FROM ${q('items')} ORDER BY ${q('id')}`)
  return rows.map((r) => ({ id: Number(r.id), email: r.email, name: r.name }))
}

describe('.ts migrations and schema modules type-check against the exported types', { timeout: 120_000 }, () => {
  it('ctx.backfill and ctx.knex are typed, a schema module without defaults satisfies SchemaModule; mistakes are type errors', async () => {
    const dir = await projectDir({
      'good.ts': MODULE,
      'bad.ts': BAD_MODULE,
      'schema.ts': SCHEMA_MODULE,
      'bad-schema.ts': BAD_SCHEMA_MODULE,
      'tsconfig.json': JSON.stringify({
        compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', noEmit: true, skipLibCheck: true, types: [] },
        files: ['good.ts', 'bad.ts', 'schema.ts', 'bad-schema.ts'],
      }),
    })
    // As an installed package: node_modules/migrator is this repository (its package.json `types`: dist/index.d.ts).
    await mkdir(path.join(dir, 'node_modules'))
    await symlink(ROOT, path.join(dir, 'node_modules', 'migrator'), 'dir')
    const tsc = path.join(ROOT, 'node_modules', '.bin', 'tsc')
    const failure = await promisify(execFile)(tsc, ['-p', '.'], { cwd: dir }).then(
      () => undefined,
      (error: { stdout?: string }) => error.stdout ?? '',
    )
    expect(failure).toBeDefined()
    const errors = (failure ?? '').split('\n').filter((line) => /error TS\d+/.test(line))
    expect(errors.map((line) => line.replace(/\(.*/, '')).sort()).toEqual(['bad-schema.ts', 'bad.ts', 'bad.ts'])
    expect(errors.filter((line) => line.startsWith('bad.ts')).map((line) => line.replace(/:.*/, ''))).toEqual(['bad.ts(4,22)', 'bad.ts(5,13)'])
    expect(errors.find((line) => line.startsWith('bad-schema.ts'))).toContain("'nulable'")
    expect(failure).toContain("Property 'set' is missing")
    expect(failure).toContain("Property 'schema' does not exist on type 'MigrationContext'")
  })
})

for (const kind of [SQLITE, POSTGRES, MARIADB]) {
  const available = await kind.available()
  describe.skipIf(!available)(`.ts migration context on ${kind.name} (through the built CLI)`, { timeout: 180_000 }, () => {
    it('ctx.backfill fills every row with its own value, ctx.knex queries in the migration, down reverts through knex', async () => {
      const db = await kind.create('modctx')
      try {
        await seedItems(db.driver, ROWS)
        for (const [k, text] of EXTRA.entries()) {
          await db.driver.db.exec(`INSERT INTO items (id, email) VALUES (?, ?)`, [ROWS + k + 1, text])
        }
        const dir = await projectDir({
          'migrator.config.json': JSON.stringify({ url: db.url.raw, dir: './migrations' }),
          'migrations/20260101000000_fill_names.ts': MODULE,
        })
        expect((await runCli(['hash'], { cwd: dir })).code).toBe(0)

        const up = await runCli(['up'], { cwd: dir })
        expect(up.stderr).not.toMatch(/error/)
        expect(up.code).toBe(0)
        const dialect = kind.name === 'mariadb' ? 'mysql' : kind.name
        expect(up.stderr).toContain(`knex counts ${ROWS + EXTRA.length} rows to fill on ${dialect}`)
        expect(up.stderr).toContain(`backfilled ${ROWS + EXTRA.length} rows in 1 pass`)
        // Progress events of ctx.backfill reach the terminal like a directive's.
        expect(up.stderr).toMatch(/backfill items: 1,503 rows in \d+\.\d s/)
        const filled = await names(db)
        expect(filled).toHaveLength(ROWS + EXTRA.length)
        expect(filled.filter((r) => r.name !== `${r.email}!`)).toEqual([])
        expect(filled.at(-3)?.name).toBe(`${EXTRA[0]}!`)
        expect(filled.at(-2)?.name).toBe(`${EXTRA[1]}!`)

        const down = await runCli(['down'], { cwd: dir })
        expect(down.code).toBe(0)
        expect((await names(db)).filter((r) => r.name !== null)).toEqual([])
        expect((await names(db)).map((r) => r.email)).toEqual(filled.map((r) => r.email))
      } finally {
        await db.drop()
      }
    })
  })
}
