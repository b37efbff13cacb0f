import { renderBackfillDirective } from '../backfill/directive.js'
import type { BackfillSpec } from '../backfill/spec.js'
import type { Change, TableChange } from '../schema/changes.js'
import type { ValueLoss } from '../schema/plan.js'
import { qualifiedName, type Column, type Table } from '../schema/model.js'
import type { Step, ZeroDowntimeSql } from './dialect-sql.js'

export type PhaseName = 'expand' | 'online' | 'contract'

/** One generated migration file of an expand/contract sequence. */
export interface PhaseFile {
  readonly phase: PhaseName
  /** 1-based position and count, as the header says them. */
  readonly index: number
  readonly total: number
  /** File slug: `<name>_<phase>`. */
  readonly slug: string
  /** The up file text: header, directives (no-transaction, backfill), statements. */
  readonly up: string
  readonly down: string
  readonly noTransaction: boolean
  readonly backfills: readonly BackfillSpec[]
}

export interface ZeroDowntimePlan {
  /** Changes with no safer form: plan them as usual, in a file before the phases. */
  readonly ordinary: readonly Change[]
  readonly phases: readonly PhaseFile[]
}

export interface ZeroDowntimeOptions {
  /** Base of the file slugs. Default `zero_downtime`. */
  readonly name?: string
  /** Rows per backfill chunk. Default 1000. */
  readonly batch?: number
  /**
   * The dialect's `Driver.valueLosses`. A type change that could lose values (a narrowing) stays in
   * the ordinary migration, whose guards stop it on values that do not fit: a backfill and sync
   * triggers would convert them silently, and writes arriving after any check could still not fit.
   */
  readonly valueLosses?: (change: Change) => readonly ValueLoss[]
}

interface Phase {
  readonly steps: Step[]
  readonly what: string[]
  readonly backfills: BackfillSpec[]
  /**
   * Columns the phase drops whose values an earlier phase copied into another column: written as
   * `-- migrator:values-kept` (lint then does not count them as destroyed) with a check-before
   * guard that stops the phase if any value is missing from the copy.
   */
  readonly kept: Kept[]
  /** The same for the columns the phase's down drops (the expand down drops the copy, whose values go back first). */
  readonly keptByDown: Kept[]
}

interface Kept {
  readonly table: Table
  readonly column: string
  readonly keptIn: string
}

/** What the application must do before the phase after each one, and what each down does. */
const BEFORE_NEXT: Readonly<Record<PhaseName, string>> = {
  expand: 'nothing is required to continue; the sync triggers keep old and new columns equal whatever the application writes',
  online:
    'deploy application code that reads and writes only the new columns (and never writes NULL into columns made NOT NULL); ' +
    'until the contract phase gives the new columns their defaults, an INSERT that leaves one out gets the old column\'s default through the sync triggers',
  contract: 'nothing: this is the last phase',
}
const DOWN: Readonly<Record<PhaseName, string>> = {
  expand:
    'copies back into renamed columns the values only the new columns hold (rows the new application inserted), then drops the sync triggers and the columns this phase added',
  online: 'drops the indexes and constraints this phase added and makes the columns NULLable again',
  contract:
    're-adds the dropped columns (with their NOT NULL), copies their data back from the new columns with one UPDATE each, removes the defaults this phase set, and recreates the sync triggers',
}

/**
 * Splits risky changes into expand → online → contract phases, each a separate migration file, so
 * the application can be deployed between them. Pure. Handled (inside `alterTable`):
 * - addColumn NOT NULL with a default: added instantly where the dialect can, else added NULLable
 *   and backfilled (expand), then made NOT NULL without a long lock (online);
 * - renameColumn (declared): new column without default + sync triggers + keyset backfill of every
 *   row, verified equal to the old column (expand), NOT NULL (online), default set and triggers and
 *   old column dropped (contract), after the application moved to the new name;
 * - alterColumn with a type change: `<col>__new` without default + sync + verified backfill
 *   (expand), NOT NULL (online), swap under the old name with the default (contract);
 * - addIndex / addForeignKey on an existing table: built without blocking writes (online).
 * Everything else, narrowing type changes, and whatever the dialect has no safer form for, is
 * returned in `ordinary`.
 */
export function planZeroDowntime(changes: readonly Change[], sql: ZeroDowntimeSql, options: ZeroDowntimeOptions = {}): ZeroDowntimePlan {
  const batch = options.batch ?? 1000
  const phases: Record<PhaseName, Phase> = { expand: empty(), online: empty(), contract: empty() }
  const ordinary: Change[] = []
  for (const change of changes) {
    if (change.kind !== 'alterTable') {
      ordinary.push(change)
      continue
    }
    const rest: TableChange[] = []
    // Columns whose type change becomes a `<col>__new` swap: new indexes are built on the new column.
    const swaps = new Map<string, string>()
    const lossy = new Set((options.valueLosses?.(change) ?? []).map((loss) => loss.column))
    for (const c of change.changes) {
      const narrows = c.kind === 'alterColumn' && (lossy.has(c.from.name) || lossy.has(c.to.name))
      if (narrows || !planTableChange(sql, change.from, change.to, c, phases, batch, swaps)) rest.push(c)
    }
    if (rest.length > 0) ordinary.push({ ...change, changes: rest })
  }
  const order: PhaseName[] = (['expand', 'online', 'contract'] as const).filter((p) => phases[p].steps.length > 0)
  const name = options.name ?? 'zero_downtime'
  return {
    ordinary,
    phases: order.map((phase, i) => render(sql, phase, phases[phase], i + 1, order.length, name, order[i + 1])),
  }
}

function empty(): Phase {
  return { steps: [], what: [], backfills: [], kept: [], keptByDown: [] }
}

function planTableChange(
  sql: ZeroDowntimeSql,
  from: Table,
  to: Table,
  c: TableChange,
  phases: Record<PhaseName, Phase>,
  batch: number,
  swaps: Map<string, string>,
): boolean {
  const q = (name: string): string => sql.quoteIdent(name)
  const label = (column: string): string => `${from.name}.${column}`
  switch (c.kind) {
    case 'addColumn': {
      const column = c.column
      if (column.nullable || column.default === undefined || column.generated !== undefined || column.identity !== undefined) return false
      const instant = sql.addNotNullColumnInstantly(from, column)
      if (instant !== undefined) {
        phases.expand.steps.push(instant)
        phases.expand.what.push(`add column ${label(column.name)} NOT NULL DEFAULT ${column.default} without a table copy`)
        return true
      }
      phases.expand.steps.push(...sql.addNullableColumn(from, column))
      phases.expand.backfills.push({
        table: from.name,
        ...(from.schema === undefined ? {} : { schema: from.schema }),
        set: `${q(column.name)} = ${column.default}`,
        where: `${q(column.name)} IS NULL`,
        batch,
      })
      phases.expand.what.push(`add column ${label(column.name)} NULLable with its default, backfill existing rows`)
      phases.online.steps.push(...sql.setNotNull(from, column))
      phases.online.what.push(`make ${label(column.name)} NOT NULL without a long lock`)
      return true
    }
    case 'renameColumn': {
      // Without its default until the contract: with one, every existing row would hold it and the
      // backfill would skip them all, and an INSERT of the old application (which leaves the new
      // column out) would keep the default instead of getting the old column's value from the trigger.
      const next: Column = { ...c.to, nullable: true, default: undefined }
      const sync = copyColumn(sql, from, c.from, next, phases, batch)
      // The expand down runs after a rollback of the application: values the new application
      // wrote only to the new column (its INSERTs leave the old one at its default) go back first.
      const last = sync[sync.length - 1]!
      const restore =
        `UPDATE ${sql.qualify(from)} SET ${q(c.from.name)} = ${sql.convert(q(next.name), next, c.from)} ` +
        `WHERE ${q(next.name)} IS NOT NULL AND ${sql.isDistinct(q(c.from.name), sql.convert(q(next.name), next, c.from), c.from)}`
      phases.expand.steps.push(...sync.slice(0, -1), { ...last, reverse: [restore, ...last.reverse] })
      phases.expand.what.push(`rename ${label(c.from.name)} → ${c.to.name}: add ${c.to.name} without default, sync triggers keep both equal, backfill, verify`)
      phases.expand.keptByDown.push({ table: from, column: next.name, keptIn: c.from.name })
      if (!c.to.nullable) {
        phases.online.steps.push(...sql.setNotNull(from, { ...next, nullable: false }))
        phases.online.what.push(`make ${label(c.to.name)} NOT NULL without a long lock`)
      }
      const drop = sql.dropColumn(from, c.from)
      // The old column must accept the new application's inserts (which no longer name it) once the
      // sync triggers are gone, before it is dropped: dialects without transactional DDL see that gap.
      // The new column's default comes before the triggers go, so no INSERT meets it without either.
      phases.contract.steps.push(
        ...(c.from.nullable ? [] : sql.dropNotNull(from, c.from)),
        ...sql.setDefault(from, c.to),
        ...sql.dropSync(from, c.from, c.to),
        { ...drop, reverse: [...drop.reverse, `UPDATE ${sql.qualify(from)} SET ${q(c.from.name)} = ${sql.convert(q(c.to.name), c.to, c.from)}`] },
      )
      phases.contract.what.push(
        `rename ${label(c.from.name)} → ${c.to.name}: ${c.to.default === undefined ? '' : `set the default of ${c.to.name}, `}drop the sync triggers and the old column ${c.from.name}`,
      )
      phases.contract.kept.push({ table: from, column: c.from.name, keptIn: c.to.name })
      return true
    }
    case 'alterColumn': {
      if (!c.aspects.includes('type') || c.aspects.some((a) => a !== 'type' && a !== 'nullable' && a !== 'default')) return false
      if (c.from.generated !== undefined || c.from.identity !== undefined || isKeyColumn(from, c.from.name)) return false
      // Without its default until the swap, for the same reasons as a renamed column's.
      const temp: Column = { ...c.to, name: tempName(c.to.name, sql.maxIdentifierLength), nullable: true, default: undefined }
      phases.expand.steps.push(...copyColumn(sql, from, c.from, temp, phases, batch))
      phases.expand.what.push(`change type of ${label(c.from.name)} ${c.from.type} → ${c.to.type}: add ${temp.name} without default, sync triggers, backfill, verify`)
      phases.expand.keptByDown.push({ table: from, column: temp.name, keptIn: c.from.name })
      if (!c.to.nullable) {
        phases.online.steps.push(...sql.setNotNull(from, { ...temp, nullable: false }))
        phases.online.what.push(`make ${label(temp.name)} NOT NULL without a long lock`)
      }
      swaps.set(c.from.name, temp.name)
      phases.contract.steps.push(...sql.swapColumns(from, c.from, temp, c.to))
      phases.contract.kept.push({ table: from, column: c.from.name, keptIn: temp.name })
      phases.contract.what.push(
        `change type of ${label(c.from.name)}: drop the old column and rename ${temp.name} to ${c.to.name}${c.to.default === undefined ? '' : ' with its default'}`,
      )
      return true
    }
    case 'addIndex': {
      // Built in the online phase, before the swap renames `<col>__new` to the column's name.
      const index = { ...c.index, parts: c.index.parts.map((p) => (p.column === undefined ? p : { ...p, column: swaps.get(p.column) ?? p.column })) }
      if (c.index.parts.some((p) => p.column === undefined && [...swaps.keys()].some((col) => p.expression?.includes(col)))) return false
      const steps = sql.createIndex(to, index)
      if (steps === undefined) return false
      phases.online.steps.push(...steps)
      phases.online.what.push(`create index ${c.index.name} on ${from.name} without blocking writes`)
      return true
    }
    case 'addForeignKey': {
      const steps = sql.addForeignKey(to, c.foreignKey)
      if (steps === undefined) return false
      phases.online.steps.push(...steps)
      phases.online.what.push(`add foreign key ${c.foreignKey.name ?? c.foreignKey.columns.join(', ')} on ${from.name}, validated without a long lock`)
      return true
    }
    default:
      return false
  }
}

/**
 * The expand steps that give `target` (NULLable, without default) the converted value of `source`
 * on every row: add it, sync triggers for the writes from now on, and a keyset backfill of the rows
 * already there, verified at the end. Rows whose `source` is NULL are neither backfilled nor
 * revisited: NULL is their value in `target` too, and the verification counts them as equal.
 */
function copyColumn(sql: ZeroDowntimeSql, table: Table, source: Column, target: Column, phases: Record<PhaseName, Phase>, batch: number): Step[] {
  const q = (name: string): string => sql.quoteIdent(name)
  const converted = sql.convert(q(source.name), source, target)
  phases.expand.backfills.push({
    table: table.name,
    ...(table.schema === undefined ? {} : { schema: table.schema }),
    set: `${q(target.name)} = ${converted}`,
    where: `${q(target.name)} IS NULL AND ${q(source.name)} IS NOT NULL`,
    verify: sql.isDistinct(q(target.name), converted, target),
    batch,
  })
  return [...sql.addNullableColumn(table, target), ...sql.createSync(table, source, target)]
}

/**
 * Columns a swap cannot move safely: keys, and columns an existing index, unique constraint or
 * check uses (dropping the old column would drop those with it).
 */
function isKeyColumn(table: Table, column: string): boolean {
  return (
    table.primaryKey?.columns.includes(column) === true ||
    table.foreignKeys.some((fk) => fk.columns.includes(column)) ||
    table.uniques.some((u) => u.columns.includes(column)) ||
    table.indexes.some((i) => i.parts.some((p) => p.column === column || (p.expression?.includes(column) ?? false))) ||
    table.checks.some((check) => check.expression.includes(column))
  )
}

function valuesKept({ table, column, keptIn }: Kept): string {
  return `-- migrator:values-kept ${qualifiedName(table)}.${column} in ${keptIn}`
}

/** `<name>__new`, shortened to the identifier limit. */
export function tempName(name: string, max: number): string {
  const suffix = '__new'
  return `${name.slice(0, Math.max(1, max - suffix.length))}${suffix}`
}

function render(sql: ZeroDowntimeSql, phase: PhaseName, content: Phase, index: number, total: number, name: string, next: PhaseName | undefined): PhaseFile {
  const noTransaction = content.steps.some((s) => !s.transactional)
  const header = [
    `-- Zero-downtime phase ${index} of ${total}: ${phase} (generated by migrator diff --zero-downtime)`,
    '-- Changes:',
    ...content.what.map((w) => `--   ${w}`),
    ...(content.backfills.length > 0
      ? ['-- Backfill: after the statements, in chunks (one short transaction each, resumable after a crash), verified at the end.']
      : []),
    next === undefined
      ? '-- Before the next phase: nothing, this is the last phase.'
      : `-- Before phase ${index + 1} (${next}): ${BEFORE_NEXT[phase === 'expand' && next === 'contract' ? 'online' : phase]}.`,
    `-- Down: ${DOWN[phase]}.`,
  ]
  if (noTransaction) header.push('-- migrator:no-transaction')
  // Phases run while the application writes: row counts move on their own.
  header.push('-- migrator:allow-row-change')
  for (const spec of content.backfills) header.push(renderBackfillDirective(spec))
  for (const kept of content.kept) {
    header.push(valuesKept(kept))
    header.push(`-- migrator:check-before SELECT count(*) = 0 FROM ${sql.qualify(kept.table)} WHERE ${sql.quoteIdent(kept.column)} IS NOT NULL AND ${sql.quoteIdent(kept.keptIn)} IS NULL`)
  }
  const up = `${header.join('\n')}\n\n${content.steps.map((s) => `${s.sql};`).join('\n\n')}\n`
  const downs = [...content.steps].reverse().flatMap((s) => s.reverse.map((r) => `${r};`))
  const down =
    `-- Down of zero-downtime phase ${index} of ${total} (${phase}): ${DOWN[phase]}.\n` +
    (noTransaction ? '-- migrator:no-transaction\n' : '') +
    content.keptByDown.map((kept) => `${valuesKept(kept)}\n`).join('') +
    `\n${downs.join('\n\n')}\n`
  return { phase, index, total, slug: `${name}_${phase}`, up, down, noTransaction, backfills: content.backfills }
}
