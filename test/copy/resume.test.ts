import { spawn } from 'node:child_process'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT, runCli } from '../cli/helpers.js'
import { availableDialects, type DialectKey, type HandMadeDatabase } from '../cli/dialect-databases.js'
import { ORDER_ROWS, SOURCES } from './sources.js'
import { copyTestbed } from './testbed.js'

const available = await availableDialects()
const { cwd, database } = copyTestbed('copy-resume')

/** More orders, so that the copy runs long enough to be killed in the middle. */
const EXTRA_ROWS = 20_000
const MORE_ORDERS: Readonly<Record<DialectKey, string>> = {
  sqlite: `WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < ${EXTRA_ROWS}) INSERT INTO orders (customer_id, total, note) SELECT 1 + n % 3, round(n / 7.0, 2), 'ünïcode ' || n FROM g`,
  postgres: `INSERT INTO orders (customer_id, total, note) SELECT 1 + g % 3, round(g / 7.0, 2), 'ünïcode ' || g FROM generate_series(1, ${EXTRA_ROWS}) g`,
  mariadb: `INSERT INTO orders (customer_id, total, note) SELECT 1 + seq % 3, round(seq / 7, 2), CONCAT('ünïcode ', seq) FROM seq_1_to_${EXTRA_ROWS}`,
}

/** Rows the checkpoint says were copied, or undefined while the checkpoint table does not exist yet. */
async function checkpointed(target: HandMadeDatabase): Promise<number | undefined> {
  try {
    const rows = await target.query<{ copied: unknown }>(`SELECT copied FROM migrator_copy_progress WHERE table_name LIKE '%orders'`)
    return rows.length === 0 ? 0 : Number(rows[0]!.copied)
  } catch {
    return undefined
  }
}

const directions: readonly [DialectKey, DialectKey][] = [
  ['sqlite', 'postgres'],
  ['postgres', 'mariadb'],
]

describe('migrator copy resumes after SIGKILL', () => {
  for (const [from, to] of directions) {
    it.skipIf(!available[from] || !available[to])(`${from} → ${to}: killed midway, run again, ends proven with every row once`, { timeout: 240_000 }, async () => {
      const source = await database(from, `cp_kill_${from.slice(0, 2)}`, `${SOURCES[from]};\n${MORE_ORDERS[from]};`)
      const target = await database(to, `cp_kill_${to.slice(0, 2)}`)
      const total = ORDER_ROWS + EXTRA_ROWS

      const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'migrator'), 'copy', '--from', source.url, '--to', target.url, '--batch', '100'], { cwd, stdio: 'ignore' })
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
      // Kill once a few batches of orders are committed, well before the last one.
      let copied: number | undefined
      for (;;) {
        copied = await checkpointed(target)
        if (copied !== undefined && copied >= 1000) break
        if (child.exitCode !== null) throw new Error('the copy ended before it could be killed')
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      child.kill('SIGKILL')
      await exited

      // The killed run left the checkpoint and exactly the rows it records, nowhere near all of them.
      const atKill = (await checkpointed(target))!
      expect(atKill).toBeLessThan(total)
      const [{ n } = { n: -1 }] = await target.query<{ n: unknown }>('SELECT count(*) AS n FROM orders')
      expect(Number(n)).toBe(atKill)

      const resumed = await runCli(['copy', '--from', source.url, '--to', target.url, '--json', '--batch', '100'], { cwd })
      expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0)
      const report = JSON.parse(resumed.stdout) as { resumed: boolean; ok: boolean; proof: { table: string; sourceRows: number; targetRows: number; sourceChecksum: string; targetChecksum: string }[] }
      expect(report.resumed).toBe(true)
      expect(resumed.stderr).toMatch(/resuming the copy/)
      expect(report.ok).toBe(true)
      const orders = report.proof.find((p) => p.table.endsWith('orders'))!
      expect([orders.sourceRows, orders.targetRows]).toEqual([total, total])
      expect(orders.targetChecksum).toBe(orders.sourceChecksum)
      // The checkpoint table is gone once the copy is complete.
      expect(await checkpointed(target)).toBeUndefined()

      // A third run finds a complete, non-empty target and refuses to copy into it.
      const again = await runCli(['copy', '--from', source.url, '--to', target.url], { cwd })
      expect(again.code).toBe(1)
      expect(again.stderr).toMatch(/is not empty .*--data-only/)
    })
  }
})
