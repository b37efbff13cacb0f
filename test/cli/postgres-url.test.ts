import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, pgAvailable, type TestDatabase } from '../helpers/postgres.js'
import { tempProject, type TempProject } from './helpers.js'

const available = await pgAvailable()

/**
 * sslmode in a PostgreSQL URL means what it means to psql (libpq), and the pg driver's multi-line
 * "SECURITY WARNING" about its own reading of it never reaches the user. The test server runs
 * without TLS, which every mode must handle with one clear line or a working connection.
 */
describe.skipIf(!available)('PostgreSQL URLs with sslmode, through the built CLI', () => {
  let database: TestDatabase
  let project: TempProject
  const url = (mode: string) => {
    const u = new URL(database.url.raw)
    u.searchParams.set('sslmode', mode)
    return u.toString()
  }

  beforeAll(async () => {
    database = await createTestDatabase('mt_cli_ssl')
    project = tempProject({ 'schema.sql': 'CREATE TABLE t (id integer PRIMARY KEY, note text);\n', 'migrations/.keep': '' })
  })

  afterAll(async () => {
    project?.remove()
    await database?.drop()
  })

  it('require on a server without TLS: one line saying so, no driver warning', { timeout: 120_000 }, async () => {
    const result = await project.run(['status', '--url', url('require')])
    expect(result.code).toBe(1)
    expect(result.stderr).not.toMatch(/SECURITY WARNING|Warning:/)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toMatch(/^error: cannot connect to .*sslmode=require: The server does not support SSL connections; the server does not offer TLS: use sslmode=prefer/)
  })

  it('prefer and allow connect (plain, as libpq would here), disable too, and diff/up work without any warning', { timeout: 240_000 }, async () => {
    for (const mode of ['prefer', 'allow', 'disable']) {
      const result = await project.run(['status', '--url', url(mode)])
      expect(result.code, `${mode}: ${result.stderr}`).toBe(0)
      expect(result.stderr, mode).not.toMatch(/SECURITY WARNING|Warning:/)
    }
    const diff = await project.run(['diff', 'create_t', '--url', url('prefer'), '--to', 'schema.sql'])
    expect(diff.code, diff.stderr).toBe(0)
    const up = await project.run(['up', '--url', url('prefer')])
    expect(up.code, up.stderr).toBe(0)
    expect(`${diff.stderr}${up.stderr}`).not.toMatch(/SECURITY WARNING|Warning:/)
  })

  it('verify-ca without a CA file and an unknown mode are one line each', { timeout: 120_000 }, async () => {
    const ca = await project.run(['status', '--url', url('verify-ca')])
    expect(ca.code).toBe(1)
    expect(ca.stderr.trim()).toMatch(/^error: cannot connect to .*: sslmode=verify-ca needs sslrootcert=<CA file> to verify against; add it, or use sslmode=verify-full$/)
    const bogus = await project.run(['status', '--url', url('sometimes')])
    expect(bogus.stderr.trim()).toMatch(/^error: cannot connect to .*: sslmode=sometimes is not a mode; use disable, allow, prefer, require, verify-ca or verify-full$/)
  })
})
