import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { escapeControl, NotTextError } from '../../../src/errors.js'
import { readDirectory } from '../../../src/migrations/directory.js'
import { textProblem } from '../../../src/migrations/utf8.js'
import { readTargetSources } from '../../../src/target/load.js'

describe('UTF-8 text check', () => {
  it('accepts UTF-8 text of every width, a BOM included, and agrees with a fatal TextDecoder', () => {
    const text = '\uFEFF-- é ü 中文 😀\nSELECT 1;\n'
    expect(textProblem(Buffer.from(text, 'utf8'))).toBeUndefined()
    const decoder = new TextDecoder('utf-8', { fatal: true })
    // Every 1-3 byte sequence over a few lead bytes: the check says "not text" exactly when the decoder throws (NUL aside).
    for (const lead of [0x41, 0x7f, 0x80, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff]) {
      for (let second = 0x00; second <= 0xff; second += 0x0f) {
        for (const third of [0x80, 0xbf, 0x41]) {
          const bytes = Uint8Array.from(lead < 0xf0 ? [lead, second, third] : [lead, second, third, 0x80])
          let decodes = true
          try {
            decoder.decode(bytes)
          } catch {
            decodes = false
          }
          const hasNul = bytes.includes(0)
          expect(textProblem(bytes) === undefined, `${Buffer.from(bytes).toString('hex')}`).toBe(decodes && !hasNul)
        }
      }
    }
  })

  it('names the first offending byte, its offset and line', () => {
    expect(textProblem(Buffer.from([0x41, 0x0a, 0x42, 0xff, 0x43]))).toEqual({ offset: 3, line: 2, problem: 'invalid UTF-8 byte 0xff' })
    expect(textProblem(Buffer.from('ab\n\ncd\0', 'utf8'))).toEqual({ offset: 6, line: 3, problem: 'a NUL byte' })
    // A sequence cut short by the end of the file.
    expect(textProblem(Buffer.from([0x41, 0xe2, 0x82]))).toMatchObject({ offset: 1 })
  })

  it('migration files and targets that are not UTF-8 text are refused naming the file and byte offset', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'migrator-utf8-'))
    try {
      await writeFile(path.join(dir, '20240101000000_a.up.sql'), Buffer.concat([Buffer.from('CREATE TABLE a (x int);\n-- caf'), Buffer.from([0xe9]), Buffer.from('\n')]))
      const error = await readDirectory(dir).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(NotTextError)
      expect((error as Error).message).toBe(
        `${path.join(dir, '20240101000000_a.up.sql')} is not UTF-8 text: invalid UTF-8 byte 0xe9 at byte offset 30 (line 2); save it as UTF-8 text, or move it out of the migration directory`,
      )
      const target = path.join(dir, 'schema.sql')
      await writeFile(target, Buffer.from([0x43, 0x00, 0x44]))
      await expect(readTargetSources(target)).rejects.toThrow(`${target} is not UTF-8 text: a NUL byte at byte offset 1 (line 1); save the target schema as UTF-8 text`)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('control characters in messages', () => {
  it('are escaped, newlines and tabs kept', () => {
    expect(escapeControl('a\x1b[31mred\x07\r\nnext\tcol\u202e\x9b')).toBe('a\\x1b[31mred\\x07\\x0d\nnext\tcol\\u202e\\x9b')
    expect(new NotTextError({ code: 'directory', file: 'x\x1b]0;title\x07.sql', offset: 0, line: 1, problem: 'a NUL byte', fix: 'fix it' }).message).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/)
  })
})
