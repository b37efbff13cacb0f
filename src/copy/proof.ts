import { hash } from 'node:crypto'
import { Worker } from 'node:worker_threads'
import type { DatabaseUrl } from '../config/url.js'
import type { CopyTable } from './map-schema.js'
import { readPages, type Side } from './read.js'
import type { NeutralType } from './types.js'
import { proofText } from './values.js'

/** One table's proof: row counts and checksums on both sides. */
export interface ProofRow {
  readonly table: string
  readonly sourceRows: number
  readonly targetRows: number
  readonly sourceChecksum: string
  readonly targetChecksum: string
  readonly match: boolean
}

const MASK = (1n << 64n) - 1n

/** What one side of one table adds up to. */
export interface Digest {
  readonly rows: number
  readonly checksum: string
}

/** One side's share of the proof: what digest-worker.ts gets as its workerData. */
export interface DigestJob {
  readonly url: DatabaseUrl
  readonly side: 'source' | 'target'
  readonly tables: readonly CopyTable[]
  readonly batch: number
}

/**
 * Counts and checksums every table on both sides. Each side runs in a worker thread of its own with
 * its own connection, so normalizing and hashing the two sides' rows uses two CPUs. The checksum is
 * order independent: the sum (mod 2^64) of a hash of each row's values in the common text form
 * (the first 64 bits of MD5: accidental collisions, not attackers, are the concern), floats compared
 * at the precision of the source column (values.ts). Rows stream through in keyset pages: memory
 * holds one page per side.
 */
export async function proveTables(tables: readonly CopyTable[], from: DatabaseUrl, to: DatabaseUrl, batch: number): Promise<ProofRow[]> {
  const [source, target] = await Promise.all([inWorker({ url: from, side: 'source', tables, batch }), inWorker({ url: to, side: 'target', tables, batch })])
  return tables.map((table, i) => {
    const s = source[i]!
    const t = target[i]!
    return { table: table.name, sourceRows: s.rows, targetRows: t.rows, sourceChecksum: s.checksum, targetChecksum: t.checksum, match: s.rows === t.rows && s.checksum === t.checksum }
  })
}

function inWorker(job: DigestJob): Promise<Digest[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./digest-worker.js', import.meta.url), { workerData: job })
    worker.once('message', (digests: Digest[]) => resolve(digests))
    worker.once('error', reject)
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the ${job.side} checksum worker stopped with exit code ${code}`))
    })
  })
}

/** The rows and checksum of `table` on one side. */
export async function digest(side: Side, table: CopyTable, batch: number): Promise<Digest> {
  const sourceTypes = table.columns.map((c) => c.source)
  let rows = 0
  let sum = 0n
  for await (const page of readPages(side, table, batch, {})) {
    for (const row of page.rows) {
      sum = (sum + hash('md5', rowText(row, sourceTypes), 'buffer').readBigUInt64BE(0)) & MASK
      rows++
    }
  }
  return { rows, checksum: sum.toString(16).padStart(16, '0') }
}

/** A row's values, each as its length and text (NULL as `-`), so no two rows' texts run together. */
function rowText(row: readonly (string | null)[], types: readonly NeutralType[]): string {
  let text = ''
  for (let i = 0; i < row.length; i++) {
    const value = row[i]
    if (value === null || value === undefined) text += '-;'
    else {
      const shown = proofText(value, types[i]!)
      text += `${shown.length}:${shown};`
    }
  }
  return text
}
