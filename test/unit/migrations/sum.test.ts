import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SumMismatchError } from '../../../src/errors.js'
import { draftText } from '../../../src/migrations/draft.js'
import { listMigrations } from '../../../src/api/directory.js'
import { computeSum, verifySum, writeSum } from '../../../src/migrations/sum.js'

const sha = (text: string): string => createHash('sha256').update(text).digest('hex')

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'migrator-sum-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const put = (name: string, text: string): Promise<void> => writeFile(path.join(dir, name), text)

async function mismatch(): Promise<string> {
  const error = await verifySum(dir).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(SumMismatchError)
  expect((error as Error).message).not.toContain('\n')
  return (error as Error).message
}

describe('migrator.sum', () => {
  it('writes sha256 per file sorted by name and a total over those lines', async () => {
    await put('20240102000000_b.up.sql', 'CREATE TABLE b (x int);\r\n')
    await put('20240101000000_a.up.sql', 'CREATE TABLE a (x int);\n')
    await put('20240101000000_a.down.sql', 'DROP TABLE a;\n')
    await put('README.md', 'not hashed')
    await writeSum(dir)
    const lines = [
      `20240101000000_a.down.sql ${sha('DROP TABLE a;\n')}`,
      `20240101000000_a.up.sql ${sha('CREATE TABLE a (x int);\n')}`,
      // CRLF → LF before hashing
      `20240102000000_b.up.sql ${sha('CREATE TABLE b (x int);\n')}`,
    ]
    expect(await readFile(path.join(dir, 'migrator.sum'), 'utf8')).toBe([`sha256 ${sha(lines.join('\n'))}`, ...lines].join('\n') + '\n')
    await expect(verifySum(dir)).resolves.toMatchObject({ files: expect.any(Array) })
  })

  it('accepts an empty directory without a sum file', async () => {
    expect((await verifySum(dir)).files).toEqual([])
  })

  it('asks for `migrator hash` when the sum file is missing but migrations exist', async () => {
    await put('20240101000000_a.up.sql', 'SELECT 1;')
    expect(await mismatch()).toMatch(/migrator\.sum is missing.*run `migrator hash`/)
  })

  it('lists added, removed and changed files', async () => {
    await put('20240101000000_a.up.sql', 'SELECT 1;')
    await put('20240102000000_b.up.sql', 'SELECT 2;')
    await writeSum(dir)
    await put('20240101000000_a.up.sql', 'SELECT 10;')
    await unlink(path.join(dir, '20240102000000_b.up.sql'))
    await put('20240103000000_c.up.sql', 'SELECT 3;')
    const message = await mismatch()
    expect(message).toContain('added 20240103000000_c.up.sql')
    expect(message).toContain('removed 20240102000000_b.up.sql')
    expect(message).toContain('changed 20240101000000_a.up.sql')
    // An edit is accepted by repair (sum and, if applied, history): the same step `up` names.
    expect(message).toContain('restore the changed file, or run `migrator repair` if the edit is intentional')
    const error = (await verifySum(dir).catch((e: unknown) => e)) as SumMismatchError
    expect(error.files).toEqual({ added: ['20240103000000_c.up.sql'], removed: ['20240102000000_b.up.sql'], changed: ['20240101000000_a.up.sql'] })
    await put('20240101000000_a.up.sql', 'SELECT 1;')
    expect(await mismatch()).toContain('review them and run `migrator hash`')
  })

  it('accepts edits of a file still recorded as `migrator new` wrote it, lists it as a draft, and keeps it one until recorded', async () => {
    const draft = '20240101000000_a.up.sql'
    await put(draft, draftText(draft)!)
    await put('20240102000000_b.up.sql', 'SELECT 2;')
    await writeSum(dir)
    await put(draft, 'CREATE TABLE a (x int);\n')
    expect((await verifySum(dir)).drafts).toEqual([draft])
    // diff and new rewrite the sum for their own files; the draft stays recorded as created.
    await put('20240103000000_c.up.sql', 'SELECT 3;')
    await writeSum(dir)
    expect((await verifySum(dir)).drafts).toEqual([draft])
    // hash records it; a later edit is a mismatch like any other.
    await writeSum(dir, { recordDrafts: true })
    expect((await verifySum(dir)).drafts).toBeUndefined()
    await put(draft, 'CREATE TABLE a (y int);\n')
    expect(await mismatch()).toContain(`changed ${draft}`)
    // Any other edit is a mismatch from the start.
    await put('20240102000000_b.up.sql', 'SELECT 20;')
    expect(await mismatch()).toContain('changed 20240101000000_a.up.sql, 20240102000000_b.up.sql')
  })

  it('detects a hand-edited total and a damaged line', async () => {
    await put('20240101000000_a.up.sql', 'SELECT 1;')
    const sum = await computeSum(dir)
    const file = path.join(dir, 'migrator.sum')
    await writeFile(file, `sha256 ${'0'.repeat(64)}\n20240101000000_a.up.sql ${sum.files[0]!.hash}\n`)
    expect(await mismatch()).toMatch(/total hash does not match/)
    await writeFile(file, `sha256 ${sum.total}\n20240101000000_a.up.sql nothex\n`)
    expect(await mismatch()).toMatch(/migrator\.sum:2 is malformed/)
  })

  it('tolerates CRLF in the sum file itself', async () => {
    await put('20240101000000_a.up.sql', 'SELECT 1;')
    await writeSum(dir)
    const file = path.join(dir, 'migrator.sum')
    await writeFile(file, (await readFile(file, 'utf8')).replace(/\n/g, '\r\n'))
    await expect(verifySum(dir)).resolves.toBeDefined()
  })
})

describe('listMigrations: migrator.sum checked with the checksums the directory read computed', () => {
  const up = '20240101000000_a.up.sql'
  beforeEach(async () => {
    await put(up, "INSERT INTO t (name) VALUES ('ü');\n")
    await put('20240101000000_a.down.sql', 'DELETE FROM t;\n')
    await put('20240102000000_b.up.sql', 'CREATE TABLE b (x int);\n')
    await writeSum(dir)
  })

  it('accepts the files hash recorded, also with a CRLF sum file', async () => {
    expect((await listMigrations(dir)).map((f) => f.upFile)).toEqual([up, '20240102000000_b.up.sql'])
    const sumFile = path.join(dir, 'migrator.sum')
    await writeFile(sumFile, (await readFile(sumFile, 'utf8')).replace(/\n/g, '\r\n'))
    expect(await listMigrations(dir)).toHaveLength(2)
  })

  it('names a file edited to the same size, and a down file added since', async () => {
    await put(up, "INSERT INTO t (name) VALUES ('ö');\n")
    await expect(listMigrations(dir)).rejects.toThrow(new RegExp(`changed ${up}`))
    await writeSum(dir)
    await put('20240102000000_b.down.sql', 'DROP TABLE b;\n')
    await expect(listMigrations(dir)).rejects.toThrow(/added 20240102000000_b\.down\.sql/)
  })
})
