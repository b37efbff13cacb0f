import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runDown } from '../../src/runner/down.js'
import { runUp } from '../../src/runner/run.js'
import { sandbox, type Sandbox } from './setup.js'

const USERS = {
  '20240101000001_users.up.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\n',
  '20240101000001_users.down.sql': 'DROP TABLE users;\n',
}
const SEED_TS = `
interface Ctx { db: { exec(sql: string, params?: unknown[]): Promise<void>; query(sql: string): Promise<unknown[]> }; dialect: string; log(m: string): void }
export async function up(ctx: Ctx): Promise<void> {
  for (const email of ['m1@example.com', 'm2@example.com']) await ctx.db.exec('INSERT INTO users (email) VALUES (?)', [email])
  ctx.log(\`seeded on \${ctx.dialect}\`)
}
export async function down(ctx: Ctx): Promise<void> {
  await ctx.db.exec("DELETE FROM users WHERE email LIKE 'm%@example.com'")
}
`

let box: Sandbox
beforeEach(async () => {
  box = await sandbox()
})
afterEach(async () => {
  await box.cleanup()
})

describe('module migrations', () => {
  it('run up(ctx) in the migration transaction and down(ctx) on revert', async () => {
    await box.write({ ...USERS, '20240101000002_seed.ts': SEED_TS })
    const driver = await box.open()
    const result = await runUp(driver, await box.files(), box.options())
    expect(result.results.map((r) => r.status)).toEqual(['applied', 'applied'])
    expect(box.query('SELECT email FROM users ORDER BY id')).toEqual([{ email: 'm1@example.com' }, { email: 'm2@example.com' }])
    expect(box.events.find((e) => e.kind === 'log')).toMatchObject({ version: '20240101000002', message: 'seeded on sqlite' })
    expect(box.query("SELECT statements_applied FROM migrator_history WHERE version = '20240101000002'")).toEqual([{ statements_applied: 1 }])

    const down = await runDown(driver, await box.files(), box.options())
    expect(down.results.map((r) => [r.version, r.status])).toEqual([['20240101000002', 'reverted']])
    expect(box.query('SELECT email FROM users')).toEqual([])
  })

  it('roll back everything a throwing module did', async () => {
    await box.write({
      ...USERS,
      '20240101000002_bad.js': "export async function up(ctx) { await ctx.db.exec(\"INSERT INTO users (email) VALUES ('x')\"); throw new Error('backfill broke') }\n",
    })
    const driver = await box.open()
    const result = await runUp(driver, await box.files(), box.options())
    expect(result.error?.message).toBe('20240101000002_bad.js: up() threw: backfill broke; the migration was rolled back; database and history are as before')
    expect(box.query('SELECT count(*) AS n FROM users')).toEqual([{ n: 0 }])
  })
})
