import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DirectoryError } from '../../../src/errors.js'
import { emptyMigrationError, nextVersion, readDirectory, slugify } from '../../../src/migrations/directory.js'
import { checksumOf } from '../../../src/migrations/file.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'migrator-dir-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function files(entries: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(entries)) await writeFile(path.join(dir, name), text)
}

async function directoryError(): Promise<string> {
  const error = await readDirectory(dir).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(DirectoryError)
  const message = (error as DirectoryError).message
  expect(message).not.toContain('\n')
  return message
}

describe('readDirectory', () => {
  it('pairs up and down files, reads modules, sorts by version and ignores non-migrations', async () => {
    await files({
      '20240102000000_add_posts.up.sql': '-- migrator:no-transaction\r\nCREATE INDEX i ON posts (a);\r\n',
      '20240102000000_add_posts.down.sql': 'DROP INDEX i;\n',
      '20240101000000_add_users.up.sql': 'CREATE TABLE users (id integer);\n',
      '20240103000000_backfill.ts': 'export async function up() {}\n',
      'migrator.sum': 'sha256 x\n',
      '.gitkeep': '',
      'README.md': '# notes',
      // A data test for `migrator test`, not a migration.
      '20240102000000_add_posts.test.sql': '-- migrator:expect SELECT true\n',
    })
    await mkdir(path.join(dir, 'drafts'))
    const read = await readDirectory(dir)
    expect(read.map((f) => [f.version, f.slug, f.format, f.upFile, f.downFile])).toEqual([
      ['20240101000000', 'add_users', 'sql', '20240101000000_add_users.up.sql', undefined],
      ['20240102000000', 'add_posts', 'sql', '20240102000000_add_posts.up.sql', '20240102000000_add_posts.down.sql'],
      ['20240103000000', 'backfill', 'module', '20240103000000_backfill.ts', undefined],
    ])
    const posts = read[1]!
    expect(posts.directives.noTransaction).toBe(true)
    // CRLF is normalized before hashing, so a Windows checkout has the same checksum.
    expect(posts.checksum).toBe(checksumOf('-- migrator:no-transaction\nCREATE INDEX i ON posts (a);\n'))
    expect(posts.downChecksum).toBe(checksumOf('DROP INDEX i;\n'))
    expect(posts.path).toBe(path.join(dir, '20240102000000_add_posts.up.sql'))
    expect(read[2]!.up).toContain('export async function up')
  })

  it('reports a missing directory and what to do', async () => {
    await rm(dir, { recursive: true })
    const message = await directoryError()
    expect(message).toContain(dir)
    expect(message).toMatch(/does not exist.*migrator init.*--dir/)
  })

  it('reports a path that is not a directory', async () => {
    await files({ 'plain.txt': 'x' })
    const error = await readDirectory(path.join(dir, 'plain.txt')).catch((e: unknown) => e)
    expect((error as Error).message).toMatch(/plain\.txt is not a directory/)
  })

  it('rejects a malformed file name and shows the expected pattern', async () => {
    await files({ '2024_add_users.sql': 'CREATE TABLE t (a int);' })
    const message = await directoryError()
    expect(message).toContain('2024_add_users.sql')
    expect(message).toContain('<14-digit version>_<slug>.up.sql')
  })

  it('rejects upper-case slugs', async () => {
    await files({ '20240101000000_AddUsers.up.sql': 'CREATE TABLE t (a int);' })
    expect(await directoryError()).toContain('20240101000000_AddUsers.up.sql: malformed migration file name')
  })

  it('names both files of a duplicate version', async () => {
    await files({
      '20240101000000_add_users.up.sql': 'CREATE TABLE users (id int);',
      '20240101000000_add_posts.up.sql': 'CREATE TABLE posts (id int);',
    })
    const message = await directoryError()
    expect(message).toContain('duplicate migration version 20240101000000')
    expect(message).toContain('20240101000000_add_users.up.sql')
    expect(message).toContain('20240101000000_add_posts.up.sql')
    expect(message).toContain('new version')
  })

  it('treats an SQL file and a module with one version as duplicates', async () => {
    await files({ '20240101000000_a.up.sql': 'SELECT 1;', '20240101000000_a.ts': 'export {}' })
    const message = await directoryError()
    expect(message).toContain('20240101000000_a.up.sql')
    expect(message).toContain('20240101000000_a.ts')
  })

  it('rejects a down file without an up file', async () => {
    await files({ '20240101000000_add_users.down.sql': 'DROP TABLE users;' })
    const message = await directoryError()
    expect(message).toContain('20240101000000_add_users.down.sql: down file without an up file')
    expect(message).toContain('add 20240101000000_add_users.up.sql')
  })

  it('reads an up file holding only comments and whitespace; emptyMigrationError is why up refuses it', async () => {
    await files({ '20240101000000_empty.up.sql': '-- TODO\n/* later */\n\n  \n', '20240101000001_full.up.sql': '-- c\nSELECT 1;' })
    const [empty, full] = await readDirectory(dir)
    expect(empty?.upFile).toBe('20240101000000_empty.up.sql')
    expect(emptyMigrationError(empty!)?.message).toMatch(/20240101000000_empty\.up\.sql: the up file has no statements/)
    expect(emptyMigrationError(full!)).toBeUndefined()
  })

  it('rejects an unknown directive with file and line', async () => {
    await files({ '20240101000000_x.up.sql': '-- header\n-- migrator:no-transation\nSELECT 1;' })
    expect(await directoryError()).toContain('20240101000000_x.up.sql:2: unknown directive `-- migrator:no-transation`')
  })

  it('reads an empty directory as no migrations', async () => {
    expect(await readDirectory(dir)).toEqual([])
  })
})

describe('nextVersion', () => {
  const now = new Date(Date.UTC(2024, 0, 2, 3, 4, 5))

  it('formats the current UTC time', () => {
    expect(nextVersion([], now)).toBe('20240102030405')
    expect(nextVersion(['20240102030404'], now)).toBe('20240102030405')
  })

  it('bumps one second past the newest existing version on collision', () => {
    expect(nextVersion(['20240102030405'], now)).toBe('20240102030406')
    expect(nextVersion(['20240102030405', '20240102030406'], now)).toBe('20240102030407')
  })

  it('stays after a newer version from a clock ahead, rolling over minutes, days and years', () => {
    expect(nextVersion(['20240102030459'], now)).toBe('20240102030500')
    expect(nextVersion(['20241231235959'], now)).toBe('20250101000000')
  })
})

describe('slugify', () => {
  it('makes [a-z0-9_]+ from any name', () => {
    expect(slugify('Add Orders')).toBe('add_orders')
    expect(slugify('  add-orders.v2!! ')).toBe('add_orders_v2')
    expect(slugify('Crème brûlée')).toBe('creme_brulee')
  })

  it('errors when nothing is left', () => {
    expect(() => slugify('!!!')).toThrow(/"!!!" has no letters or digits.*add_users/)
    expect(() => slugify('日本')).toThrow(DirectoryError)
  })
})
