import { describe, expect, it } from 'vitest'
import { ChecksumMismatchError, FailedMigrationError, MissingMigrationError, OutOfOrderError } from '../../src/errors.js'
import { checksumOf, type MigrationFile } from '../../src/migrations/file.js'
import type { HistoryRow } from '../../src/runner/history.js'
import { planPending } from '../../src/runner/pending.js'

const file = (version: string, up: string): MigrationFile => ({
  version,
  slug: `m${version.slice(-2)}`,
  format: 'sql',
  upFile: `${version}_m${version.slice(-2)}.up.sql`,
  path: `/tmp/${version}.up.sql`,
  up,
  checksum: checksumOf(up),
  directives: { noTransaction: false, checksBefore: [], checksAfter: [] },
})
const row = (f: MigrationFile, patch: Partial<HistoryRow> = {}): HistoryRow => ({
  version: f.version,
  name: f.slug,
  checksum: f.checksum,
  status: 'applied',
  appliedAt: '2024-01-01T00:00:00.000Z',
  executionMs: 1,
  appliedBy: 'test',
  statementsApplied: 1,
  toolVersion: '0.1.0',
  ...patch,
})

const a = file('20240101000001', 'SELECT 1;')
const b = file('20240101000002', 'SELECT 2;')
const c = file('20240101000003', 'SELECT 3;')

describe('planPending', () => {
  it('returns applied rows with their files and pending files in version order', () => {
    const plan = planPending([c, a, b], [row(a)])
    expect(plan.applied.map((x) => [x.row.version, x.file?.upFile])).toEqual([[a.version, a.upFile]])
    expect(plan.pending.map((f) => f.version)).toEqual([b.version, c.version])
  })

  it('refuses a file older than the newest applied one (out of order, merged from another branch) unless allowOutOfOrder', () => {
    expect(() => planPending([a, b, c], [row(a), row(c)])).toThrow(OutOfOrderError)
    expect(() => planPending([a, b, c], [row(a), row(c)])).toThrow(new RegExp(`older than ${c.version}.*${b.upFile}.*--allow-out-of-order`))
    expect(planPending([a, b, c], [row(a), row(c)], { allowOutOfOrder: true }).pending.map((f) => f.version)).toEqual([b.version])
  })

  it('counts files at or below a baseline as applied; a baseline marker without a file is not missing', () => {
    const marker = { ...row(b, { checksum: '', baseline: true }), name: 'baseline' }
    const plan = planPending([a, c], [row(a, { baseline: true }), marker])
    expect(plan.pending.map((f) => f.version)).toEqual([c.version])
    // A file at or below the marker that appears later is not run (Flyway's baseline).
    expect(planPending([a, b, c], [marker]).pending.map((f) => f.version)).toEqual([c.version])
  })

  it('refuses an applied file that changed, naming it and both hashes', () => {
    const edited = file(a.version, 'SELECT 100;')
    const error = (() => {
      try {
        planPending([edited], [row(a)])
      } catch (e) {
        return e
      }
    })() as ChecksumMismatchError
    expect(error).toBeInstanceOf(ChecksumMismatchError)
    expect(error.file).toBe(a.upFile)
    expect(error.expected).toBe(a.checksum)
    expect(error.actual).toBe(edited.checksum)
    expect(error.message).toContain(a.checksum.slice(0, 12))
    expect(error.message).toContain(edited.checksum.slice(0, 12))
  })

  it('does not compare baseline rows that carry no checksum', () => {
    expect(planPending([a, b], [row(a, { checksum: '' })]).pending).toEqual([b])
  })

  it('refuses a failed row and points to repair', () => {
    expect(() => planPending([a, b], [row(a), row(b, { status: 'failed' })])).toThrow(FailedMigrationError)
    expect(() => planPending([a, b], [row(b, { status: 'failed' })])).toThrow(/migrator repair/)
  })

  it('refuses applied versions without a file unless allowMissing', () => {
    expect(() => planPending([b], [row(a), row(b)])).toThrow(MissingMigrationError)
    expect(() => planPending([b], [row(a), row(b)])).toThrow(new RegExp(`${a.version}.*--allow-missing`))
    const plan = planPending([b, c], [row(a), row(b)], { allowMissing: true })
    expect(plan.applied.map((x) => x.file?.version)).toEqual([undefined, b.version])
    expect(plan.pending).toEqual([c])
  })
})
