import { isBaselineMarker } from '../runner/pending.js'
import type { ResolvedConfig } from '../config/schema.js'
import { SumMismatchError } from '../errors.js'
import { readDirectory } from '../migrations/directory.js'
import { verifySum, writeSum } from '../migrations/sum.js'
import { HistoryStore } from '../runner/history.js'
import { withDriver } from './session.js'

export interface RepairAction {
  /** The migration a history action is about; empty for `record-sum`. */
  readonly version: string
  readonly action: 'remove-failed' | 'realign-checksum' | 'remove-missing' | 'record-sum'
  readonly detail: string
}

/**
 * Re-aligns history and migrator.sum with the directory: removes `failed` rows (after the user
 * fixed the database by hand), takes the checksums of intentionally edited applied files, forgets
 * applied versions whose files were deleted, and records the files as they are in migrator.sum
 * (edits the sum check reported, and files `migrator new` created and that were edited since), so
 * one command accepts an intentional edit wherever it is recorded. `confirm` sees the actions
 * first; nothing changes when it says no.
 */
export async function repair(
  config: ResolvedConfig,
  confirm: (actions: readonly RepairAction[]) => Promise<boolean>,
): Promise<{ readonly actions: readonly RepairAction[]; readonly applied: boolean }> {
  const files = await readDirectory(config.dir)
  const byVersion = new Map(files.map((f) => [f.version, f]))
  return withDriver(config, async (driver) => {
    const history = new HistoryStore(driver, config.historyTable)
    const rows = await history.list()
    const actions: RepairAction[] = []
    for (const row of rows) {
      const file = byVersion.get(row.version)
      // A baseline marker has no file by design.
      if (isBaselineMarker(row)) continue
      if (row.status === 'failed') {
        const n = row.statementsApplied
        const counted = row.reverting === true
          ? `its down stopped after ${n} statement(s): undo the rest of its up by hand first, or run \`migrator down\` instead to finish it`
          : n === 0 ? 'history counts none of its statements as applied; check the database first' : `history counts ${n === 1 ? 'statement 1' : `statements 1-${n}`} as still applied: undo ${n === 1 ? 'it' : 'them'} by hand first`
        actions.push({ version: row.version, action: 'remove-failed', detail: `forget failed ${row.version}_${row.name} (${counted}) so \`up\` runs it again from the start` })
      } else if (file === undefined) {
        actions.push({ version: row.version, action: 'remove-missing', detail: `forget ${row.version}_${row.name}, whose file is gone` })
      } else if (file.checksum !== row.checksum || (file.downChecksum ?? null) !== (row.downChecksum ?? null)) {
        actions.push({ version: row.version, action: 'realign-checksum', detail: `accept the edited ${file.upFile} (sha256 ${row.checksum.slice(0, 12)} → ${file.checksum.slice(0, 12)})` })
      }
    }
    const sum = await sumAction(config.dir)
    if (sum !== undefined) actions.push(sum)
    if (actions.length === 0 || !(await confirm(actions))) return { actions, applied: false }
    await driver.db.transaction(async (tx) => {
      for (const action of actions) {
        if (action.action === 'record-sum') continue
        const row = rows.find((r) => r.version === action.version)!
        if (action.action === 'realign-checksum') {
          const file = byVersion.get(action.version)!
          await history.write(tx, { ...row, checksum: file.checksum, downChecksum: file.downChecksum })
        } else await history.remove(tx, action.version)
      }
    })
    if (sum !== undefined) await writeSum(config.dir, { recordDrafts: true })
    return { actions, applied: true }
  })
}

/** The migrator.sum action, when the sum does not record the files as they are. */
async function sumAction(dir: string): Promise<RepairAction | undefined> {
  try {
    const { drafts = [] } = await verifySum(dir)
    if (drafts.length === 0) return undefined
    return { version: '', action: 'record-sum', detail: `record ${drafts.join(', ')} as edited since \`migrator new\` in migrator.sum` }
  } catch (error) {
    if (!(error instanceof SumMismatchError)) throw error
    const { added, removed, changed } = error.files
    const which = [...changed.map((f) => `${f} changed`), ...added.map((f) => `${f} added`), ...removed.map((f) => `${f} removed`)]
    return { version: '', action: 'record-sum', detail: `record the migration files as they are in migrator.sum${which.length === 0 ? '' : ` (${which.join(', ')})`}` }
  }
}
