import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseUrl } from '../../src/config/url.js'
import { writeSum } from '../../src/migrations/sum.js'
import { runCli, type CliResult } from '../cli/helpers.js'
import { cli } from './harness.js'
import { reliabilitySet, writeMigrations } from './migrations.js'
import { createTarget, DIALECTS, reachable, targetAt, type Target } from './targets.js'

const available = new Map(await Promise.all(DIALECTS.map(async (d) => [d, await reachable(d)] as const)))
const work = mkdtempSync(path.join(os.tmpdir(), 'migrator-misuse-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** Exit 1 with exactly one `error:` line matching `pattern`, no stack, no raw control character. */
function refused(result: CliResult, pattern: RegExp): void {
  expect(result.code, result.stderr).toBe(1)
  const lines = result.stderr.trim().split('\n')
  expect(lines, result.stderr).toHaveLength(1)
  expect(lines[0]).toMatch(/^error: /)
  expect(lines[0]).toMatch(pattern)
  expect(result.stderr).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/)
}

describe('commands that should change nothing write nothing; conflicting flags and bad bytes are one clear line', () => {
  for (const dialect of DIALECTS) {
    it.skipIf(available.get(dialect) !== true)(`on ${dialect}`, async () => {
      const set = reliabilitySet(dialect)
      const dir = path.join(work, dialect)
      await writeMigrations(path.join(dir, 'migrations'), set)
      writeFileSync(path.join(dir, 'schema.sql'), 'CREATE TABLE keep (id int PRIMARY KEY, v varchar(20));\n')
      const target = await createTarget(dialect, dir)
      const first = set[0]!.version
      const third = set[2]!.version
      try {
        await target.exec("CREATE TABLE keep (id int PRIMARY KEY, v varchar(20)); INSERT INTO keep VALUES (1, 'a'), (2, NULL)")
        const untouched = async (what: string, command: () => Promise<CliResult>, check: (r: CliResult) => void): Promise<void> => {
          const before = await target.snapshot()
          check(await command())
          expect((await target.snapshot()) === before, `${what} changed the database`).toBe(true)
        }
        const run = (args: readonly string[]): Promise<CliResult> => cli(dir, target, args)
        const snapshot0 = await target.snapshot()

        // Nothing applied yet: no history table appears.
        const down = await run(['down'])
        expect(down.code, down.stderr).toBe(0)
        expect(await run(['down', '--all'])).toMatchObject({ code: 0 })
        refused(await run(['up', '--to', '20990101000000']), /--to 20990101000000 names no migration/)
        const validate = await run(['validate'])
        expect(validate.code, validate.stderr).toBe(0)
        refused(await run(['diff', '--to', 'schema.sql']), /not yet applied/)
        refused(await run(['restore', './missing.backup', '--yes']), /missing\.backup does not exist; nothing was restored/)

        // Conflicting selections: refused before anything runs.
        refused(await run(['down', '--to', first, '--all']), new RegExp(`--to ${first} and --all conflict: each says where the run stops; pass only one of them`))
        refused(await run(['down', '--steps', '1', '--to', first]), new RegExp(`--steps 1 and --to ${first} conflict`))
        refused(await run(['down', '--steps', '1', '--all']), /--steps 1 and --all conflict/)
        refused(await run(['up', '--to', third, '--steps', '2']), new RegExp(`--steps 2 and --to ${third} conflict`))
        expect((await target.snapshot()) === snapshot0, 'a command that should change nothing changed the database (history table?)').toBe(true)

        // Applied: conflicting downs still revert nothing.
        expect((await run(['up', '--force'])).code).toBe(0)
        await untouched('down --to V --all', () => run(['down', '--to', first, '--all']), (r) => refused(r, /conflict/))
        await untouched('down --steps 1 --to V', () => run(['down', '--steps', '1', '--to', first]), (r) => refused(r, /conflict/))
        await untouched('validate', () => run(['validate']), (r) => expect(r.code, r.stderr).toBe(0))

        // A migration file that is not UTF-8 text: named with its byte offset, before anything runs.
        const bad = path.join(dir, 'migrations', '20240101000010_binary.up.sql')
        writeFileSync(bad, Buffer.from([0x53, 0x45, 0x4c, 0x45, 0x43, 0x54, 0x20, 0x31, 0x3b, 0x0a, 0x2d, 0x2d, 0x20, 0xff, 0xfe, 0x00]))
        await untouched('up with a binary migration file', () => run(['up', '--force']), (r) => refused(r, /20240101000010_binary\.up\.sql is not UTF-8 text: invalid UTF-8 byte 0xff at byte offset 13 \(line 2\)/))
        rmSync(bad)

        // Control characters from a migration's SQL reach the terminal escaped.
        const quote = dialect === 'mysql' ? '`' : '"'
        writeFileSync(path.join(dir, 'migrations', '20240101000011_control.up.sql'), `INSERT INTO ${quote}missing\x1b[2J\x07${quote} VALUES (1);\n`)
        await writeSum(path.join(dir, 'migrations'))
        const control = await run(['up', '--force', '--verbose'])
        expect(control.code).toBe(1)
        expect(control.stderr).toContain('missing\\x1b[2J\\x07')
        expect(control.stderr).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/)
      } finally {
        await target.drop()
      }
    }, 300_000)
  }

  it('a SQLite file that does not exist is not created by validate, a refused diff or restore of a missing backup', async () => {
    const dir = path.join(work, 'absent')
    mkdirSync(dir, { recursive: true })
    await writeMigrations(path.join(dir, 'migrations'), reliabilitySet('sqlite'))
    writeFileSync(path.join(dir, 'schema.sql'), 'CREATE TABLE keep (id int PRIMARY KEY);\n')
    const file = path.join(dir, 'never.db')
    const target: Target = targetAt('sqlite', parseUrl(`sqlite:${file}`))
    expect((await cli(dir, target, ['validate'])).code).toBe(0)
    refused(await cli(dir, target, ['diff', '--to', 'schema.sql']), /not yet applied/)
    refused(await cli(dir, target, ['restore', './missing.backup', '--yes']), /does not exist; nothing was restored/)
    expect(existsSync(file)).toBe(false)
  }, 120_000)

  it('a target schema that is not UTF-8 text is named with its byte offset', async () => {
    const dir = path.join(work, 'target')
    mkdirSync(path.join(dir, 'migrations'), { recursive: true })
    await writeSum(path.join(dir, 'migrations'))
    writeFileSync(path.join(dir, 'schema.sql'), Buffer.concat([Buffer.from('CREATE TABLE t (id int);\n-- caf'), Buffer.from([0xe9, 0x0a])]))
    const result = await runCli(['diff', '--to', 'schema.sql', '--url', 'sqlite::memory:'], { cwd: dir })
    refused(result, /schema\.sql is not UTF-8 text: invalid UTF-8 byte 0xe9 at byte offset 31 \(line 2\); save the target schema as UTF-8 text/)
  }, 120_000)
})
