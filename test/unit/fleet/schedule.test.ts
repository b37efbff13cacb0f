import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runPool } from '../../../src/fleet/pool.js'
import { parseShard, shardOf } from '../../../src/fleet/shard.js'
import { readTargetsFile } from '../../../src/fleet/targets.js'
import { likeRegExp } from '../../../src/fleet/tenants.js'

/** Runs a pool of `count` items where the listed indexes fail; returns the order they started in and what never ran. */
async function schedule(count: number, failing: readonly number[], options: { concurrency: number; canary?: number; continueOnError?: boolean }) {
  const started: number[] = []
  const notRun = await runPool(count, { canary: 0, continueOnError: false, ...options }, async (i) => {
    started.push(i)
    await new Promise((resolve) => setImmediate(resolve))
    return !failing.includes(i)
  })
  return { started, notRun }
}

describe('fleet scheduling', () => {
  it('by default starts nothing after the first failure and lets running targets finish', async () => {
    const { started, notRun } = await schedule(20, [5], { concurrency: 3 })
    expect(started.length + notRun.length).toBe(20)
    expect(started).toContain(5)
    // Items 6 and 7 were already running beside 5 or started before its failure was known.
    expect(Math.max(...started)).toBeLessThanOrEqual(7)
    expect(notRun[0]).toBe(Math.max(...started) + 1)
    expect(notRun.at(-1)).toBe(19)
  })

  it('--continue-on-error runs every target', async () => {
    const { started, notRun } = await schedule(20, [0, 5], { concurrency: 3, continueOnError: true })
    expect(notRun).toEqual([])
    expect([...started].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i))
  })

  it('the canaries finish alone first; a failing canary stops everything, even with --continue-on-error', async () => {
    const ok = await schedule(10, [], { concurrency: 8, canary: 2 })
    expect(ok.started.slice(0, 2).sort()).toEqual([0, 1])
    const bad = await schedule(10, [1], { concurrency: 8, canary: 3, continueOnError: true })
    expect(bad.started.sort()).toEqual([0, 1, 2])
    expect(bad.notRun).toEqual([3, 4, 5, 6, 7, 8, 9])
  })

  it('never runs more than --concurrency at once', async () => {
    let running = 0
    let peak = 0
    await runPool(30, { concurrency: 4, canary: 0, continueOnError: false }, async () => {
      peak = Math.max(peak, ++running)
      await new Promise((resolve) => setImmediate(resolve))
      running--
      return true
    })
    expect(peak).toBe(4)
  })
})

describe('--shard', () => {
  const targets = Array.from({ length: 500 }, (_, i) => `postgres://app@db-${i % 7}.internal/tenant_${i}`)

  it('puts every target in exactly one shard, whatever the order of the list', () => {
    const shards = [1, 2, 3, 4].map((index) => shardOf(targets, { index, count: 4 }, (t) => t))
    expect(shards.flat().sort()).toEqual([...targets].sort())
    for (const shard of shards) expect(shard.length).toBeGreaterThan(80)
    const reversed = shardOf([...targets].reverse(), { index: 2, count: 4 }, (t) => t)
    expect(new Set(reversed)).toEqual(new Set(shards[1]))
  })

  it('rejects anything but i/n with 1 ≤ i ≤ n', () => {
    expect(parseShard('3/4')).toEqual({ index: 3, count: 4 })
    for (const bad of ['0/4', '5/4', '1/0', '2', 'a/b', '1/4/2']) expect(() => parseShard(bad)).toThrow(/^--shard: expected i\/n with 1 ≤ i ≤ n, like 1\/4, got/)
  })
})

describe('tenant schema patterns (SQL LIKE)', () => {
  it('matches % and _ as LIKE does, with \\ escaping them', () => {
    const like = likeRegExp('tenant\\_%')
    expect(['tenant_1', 'tenant_', 'tenant_a.b'].every((s) => like.test(s))).toBe(true)
    expect(['tenantX1', 'xtenant_1', 'Tenant_1'].some((s) => like.test(s))).toBe(false)
    expect(likeRegExp('t_').test('tx')).toBe(true)
    expect(likeRegExp('t_').test('txy')).toBe(false)
    expect(likeRegExp('a.b(c)').test('a.b(c)')).toBe(true)
    expect(likeRegExp('a.b(c)').test('axb(c)')).toBe(false)
  })
})

describe('--targets file', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'migrator-targets-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const write = (text: string) => {
    const file = path.join(dir, `t-${Math.random().toString(36).slice(2)}.txt`)
    writeFileSync(file, text)
    return file
  }

  it('reads one URL per line, skipping blank and # comment lines', async () => {
    const file = write('# fleet\r\npostgres://u:secret@h/a\n\n  sqlite:./b.db  \n# end\n')
    expect(await readTargetsFile(file, 'fleet.txt', dir)).toEqual(['postgres://u:secret@h/a', 'sqlite:./b.db'])
  })

  it('names the file and line of a bad URL, password redacted', async () => {
    const file = write('sqlite:./a.db\nredis://u:secret@h/0\n')
    await expect(readTargetsFile(file, 'fleet.txt', dir)).rejects.toThrow(/^--targets fleet.txt:2: unsupported database URL "redis:\/\/u:\*\*\*@h\/0"/)
  })

  it('refuses a file without targets', async () => {
    await expect(readTargetsFile(write('# nothing yet\n'), 'fleet.txt', dir)).rejects.toThrow(/^--targets fleet.txt: no database URLs in the file/)
  })
})
