import { isEmptySql } from '../migrations/directory.js'
import type { MigrationFile } from '../migrations/file.js'
import { parseUndoGroups } from '../migrations/write.js'
import { excerpt, loadModule, messageOf, refOf, runModuleFunction, type RunContext } from './execute.js'
import { pairDown } from './pair-down.js'

/** What undoing a partly applied migration did. */
export interface UndoOutcome {
  /** Leading up statements still applied afterwards (what history must count). */
  readonly remaining: number
  /** Whether the database is as it was before the migration. */
  readonly restored: boolean
  /** For the failure message: what was undone, what stayed, and why. */
  readonly summary: string
  /** What the user has to do by hand when not restored (`undo them by hand`). */
  readonly todo?: string
}

/**
 * A module whose up() threw outside a transaction: what it changed before throwing stays and is not
 * known, so the database cannot be called as before, and its down() would undo more than ran.
 */
export function moduleUpFailed(file: MigrationFile): UndoOutcome {
  return {
    remaining: 0,
    restored: false,
    summary: `${file.upFile} up() ran outside a transaction, so whatever it changed before it failed stayed; nothing was undone`,
    todo: 'check the database and undo what up() changed by hand',
  }
}

/** The SQL that undoes one up statement (`index`), each with where it comes from for messages. */
interface UndoStep {
  readonly index: number
  readonly statements: readonly { readonly sql: string; readonly where: string }[]
}

/**
 * Undoes the first `completed` statements of a partly applied migration, newest first, but only
 * with SQL known to reverse each of them: the down file's `-- migrator:undo <i>` groups (generated
 * files), a hand-written down file that pairs with the up file statement for statement
 * (pair-down.ts), or a module's down() once its up() has completed. Anything else runs nothing:
 * running a down file that also reverses statements which never ran would drop or change what the
 * migration did not create. After each undone statement `record(remaining)` stores how many are
 * still applied; a failing undo statement (or record) stops the undo. Never throws.
 */
export async function undoApplied(ctx: RunContext, file: MigrationFile, completed: number, record: (remaining: number) => Promise<void>): Promise<UndoOutcome> {
  if (completed === 0) return { remaining: 0, restored: true, summary: 'no statement had run' }
  if (file.format === 'module') return undoModule(ctx, file)
  const plan = undoSteps(ctx, file, completed)
  if ('reason' in plan) {
    return { remaining: completed, restored: false, summary: `${stayed(ctx, file, completed)}; ${plan.reason}, so nothing was undone`, todo: byHand(completed) }
  }
  const ref = refOf(file, 'down')
  const undone: number[] = []
  const did = (): string => (undone.length === 0 ? '' : `undid ${statements(undone)} of ${file.upFile}; `)
  for (const step of plan.steps) {
    for (const [k, statement] of step.statements.entries()) {
      ctx.emit({ kind: 'undo-statement', ...ref, index: step.index, sql: statement.sql })
      try {
        await ctx.db.exec(statement.sql)
      } catch (error) {
        const partly = k > 0 ? ` (statement ${step.index} partly undone: ${k} of its ${step.statements.length} undo statements ran)` : ''
        return {
          remaining: step.index,
          restored: false,
          summary: `${did()}undoing statement ${step.index} failed (${statement.where}: ${messageOf(error)}), so ${stayed(ctx, file, step.index)}${partly}`,
          todo: byHand(step.index),
        }
      }
    }
    undone.push(step.index)
    try {
      await record(step.index - 1)
    } catch (error) {
      const left = step.index - 1
      const rest = left === 0 ? 'no statement stayed applied' : stayed(ctx, file, left)
      return {
        remaining: left,
        restored: false,
        summary: `${did()}${rest}; undoing stopped because recording that in history failed (${messageOf(error)})`,
        todo: left === 0 ? 'check its history row' : byHand(left),
      }
    }
  }
  return { remaining: 0, restored: true, summary: `undid ${statements(undone)} of ${file.upFile}${plan.paired ?? ''}` }
}

/**
 * The undo of statements `completed` … 1, newest first, or why there is none. All or nothing: a
 * migration is never undone down to a statement that then has no undo.
 */
function undoSteps(ctx: RunContext, file: MigrationFile, completed: number): { readonly steps: UndoStep[]; readonly paired?: string } | { readonly reason: string } {
  const downFile = file.downFile ?? `${file.version}_${file.slug}.down.sql`
  const down = file.down ?? ''
  const groups = parseUndoGroups(down)
  if (groups.size > 0) {
    const steps: UndoStep[] = []
    for (let i = completed; i >= 1; i--) {
      const sql = groups.get(i)
      if (sql === undefined) return { reason: `${downFile} has no \`-- migrator:undo ${i}\` group for statement ${i}` }
      steps.push({ index: i, statements: ctx.driver.splitStatements(sql).map((s) => ({ sql: s.sql, where: `${downFile} undo ${i}` })) })
    }
    return { steps }
  }
  if (file.down === undefined || isEmptySql(down)) return { reason: `${downFile} does not exist or is empty` }
  const pairing = pairDown(ctx.driver.splitStatements(file.up), ctx.driver.splitStatements(down), ctx.driver.objectsOf?.bind(ctx.driver))
  if (!pairing.ok) return { reason: `${downFile} cannot be paired with them safely (${pairing.reason})` }
  const steps: UndoStep[] = []
  for (let i = completed; i >= 1; i--) {
    const statement = pairing.undo[i - 1]!
    steps.push({ index: i, statements: [{ sql: statement.sql, where: `${downFile}:${statement.line}` }] })
  }
  const numbers = steps.map((s) => pairing.undo[s.index - 1]!.number)
  return { steps, paired: ` with ${numbers.length === 1 ? 'statement' : 'statements'} ${numbers.join(', ')} of ${downFile}` }
}

/** A module whose up() completed (a check after it failed): its down() undoes it, if it has one. */
async function undoModule(ctx: RunContext, file: MigrationFile): Promise<UndoOutcome> {
  const todo = 'undo what its up() did by hand'
  let down
  try {
    down = (await loadModule(file)).down
  } catch (error) {
    return { remaining: 1, restored: false, summary: `${file.upFile} up() completed and its down() could not be loaded (${messageOf(error)}), so nothing was undone`, todo }
  }
  if (down === undefined) return { remaining: 1, restored: false, summary: `${file.upFile} up() completed and it exports no down(), so nothing was undone`, todo }
  try {
    await runModuleFunction(ctx, ctx.db, refOf(file, 'down'), file, down)
  } catch (error) {
    return {
      remaining: 1,
      restored: false,
      summary: `${file.upFile} up() completed and its down() then failed (${messageOf(error)}), so what up() did stayed, with whatever down() changed before it failed`,
      todo,
    }
  }
  return { remaining: 0, restored: true, summary: `${file.upFile} down() undid it` }
}

/** `statements 1-2 of x.up.sql stayed applied (CREATE TABLE t …; ALTER TABLE u …)`. */
function stayed(ctx: RunContext, file: MigrationFile, count: number): string {
  const applied = ctx.driver.splitStatements(file.up).slice(0, count)
  const shown = applied.slice(0, 3).map((s) => excerpt(s.sql, 40))
  if (applied.length > shown.length) shown.push(`and ${applied.length - shown.length} more`)
  const which = count === 1 ? 'statement 1' : `statements 1-${count}`
  return `${which} of ${file.upFile} stayed applied (${shown.join('; ')})`
}

function statements(numbers: readonly number[]): string {
  return `${numbers.length === 1 ? 'statement' : 'statements'} ${numbers.join(', ')}`
}

function byHand(count: number): string {
  return `undo ${count === 1 ? 'it' : 'them'} by hand`
}
