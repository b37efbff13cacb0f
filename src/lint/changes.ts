import { assertNever, type Change, type TableChange } from '../schema/changes.js'
import { qualifiedName, type Table } from '../schema/model.js'
import { nameKey, type IdentifierCase, type NameKind, type RowLoss, type ValueLoss } from '../schema/plan.js'
import type { ValuesKept } from '../migrations/file.js'
import type { DataLoss } from '../safety/consent.js'
import { CODES, type Code } from './codes.js'
import { formatCount, type LintFinding } from './finding.js'
import type { DataProbe, LossCount } from './probe.js'

/** What the change analyzers may ask besides the change list. */
export interface ChangeContext {
  /**
   * The live database, for the counts that decide whether a change would make the migration fail
   * (NULLs under a new NOT NULL, duplicates under a new UNIQUE): only for a migration that meets
   * the live data as it is.
   */
  readonly probe?: DataProbe
  /** The live database, for the counts of values a change would destroy (consent). */
  readonly lossProbe?: DataProbe
  /** The dialect's `valueLosses`: what a type change or enum change would not keep. */
  readonly valueLosses?: (change: Change) => readonly ValueLoss[]
  /** The dialect's `rowLosses`: rows a change deletes while the table stays (a dropped partition). */
  readonly rowLosses?: (change: Change) => readonly RowLoss[]
  /**
   * The dialect's name case rules: a rename that only respells a name the server matches without
   * regard to case (MySQL `email` → `Email`) breaks no query, so it is no BC101/BC102 finding.
   */
  readonly identifierCase?: IdentifierCase
  /** Dropped columns whose values the file declares copied into another column (`values-kept`). */
  readonly valuesKept?: readonly ValuesKept[]
}

/**
 * Findings for a migration's change list (what `diffSchemas(before, after)` says it does). With
 * probes (the live database is reachable) data-dependent analyzers count the rows that would make
 * the migration fail or lose data; a positive count makes the finding an error, and a finding that
 * destroys stored values carries `loss`, which `up`/`down` refuse without consent.
 */
export async function analyzeChanges(changes: readonly Change[], context: ChangeContext = {}): Promise<LintFinding[]> {
  const findings: LintFinding[] = []
  for (const change of changes) findings.push(...(await analyzeChange(change, context)))
  return findings
}

async function analyzeChange(change: Change, context: ChangeContext): Promise<LintFinding[]> {
  const { lossProbe } = context
  switch (change.kind) {
    case 'dropTable': {
      const table = qualifiedName(change.table)
      const rows = await lossProbe?.lostRows(table)
      return [
        finding('DS101', `drops table ${table}${lossSuffix(rows, 'with', 'row')}`, {
          table,
          ...lossOf(rows, { table, action: 'drops table' }),
          fix: 'stop using the table in application code first, back it up (`migrator backup`), then drop it in a later release',
        }),
      ]
    }
    case 'renameTable':
      if (sameName(change.from.name, change.to.name, context.identifierCase, 'tables')) return []
      return [
        finding('BC102', `renames table ${qualifiedName(change.from)} to ${qualifiedName(change.to)}`, {
          table: qualifiedName(change.to),
          fix: 'create the new table (or a view under the old name) and migrate readers first; rename in a later release',
        }),
      ]
    case 'alterTable': {
      const out: LintFinding[] = []
      const losses = context.valueLosses?.(change) ?? []
      for (const inner of change.changes) out.push(...(await analyzeTableChange(change.from, inner, context, losses)))
      for (const loss of context.rowLosses?.(change) ?? []) {
        const rows = await lossProbe?.lostRowsOf(loss)
        out.push(
          finding('DS106', `${loss.reason} of ${loss.table}${lossSuffix(rows, 'with', 'row')}`, {
            table: loss.table,
            ...lossOf(rows, { table: loss.table, action: loss.reason }),
            fix: 'move the rows you need out of it first (INSERT … SELECT into another table), back it up (`migrator backup`), then drop it',
          }),
        )
      }
      return out
    }
    case 'dropView':
      return [finding('DS103', `drops view ${qualifiedName(change.view)}`, { fix: 'make sure no query or application code reads the view' })]
    case 'dropObject':
      return [
        finding('DS104', `drops ${change.object.kind} ${qualifiedName(change.object)}`, {
          fix: 'make sure nothing depends on it; keep its definition in the down file',
        }),
      ]
    case 'alterObject':
      return analyzeObjectLosses(change, context)
    case 'createTable':
    case 'createView':
    case 'createObject':
      return []
    default:
      return assertNever(change)
  }
}

/** An enum whose labels go away (PostgreSQL): rows still holding them lose their value. */
async function analyzeObjectLosses(change: Change, context: ChangeContext): Promise<LintFinding[]> {
  if (change.kind !== 'alterObject') return []
  const out: LintFinding[] = []
  for (const loss of context.valueLosses?.(change) ?? []) {
    const rows = await context.lossProbe?.lostByConversion(loss)
    const column = `${loss.table}.${loss.column}`
    out.push(
      finding('DS105', `changes ${change.to.kind} ${qualifiedName(change.to)}: ${column} ${rows === undefined ? 'may hold values that' : rows === 'unknown' ? 'holds an unknown number of values that' : `holds ${formatCount(rows)} value${rows === 1 ? '' : 's'} that`} ${loss.reason}`, {
        table: loss.table,
        ...lossOf(rows, { table: loss.table, column: loss.column, action: loss.reason }),
        fix: `move those rows to a label that stays first (UPDATE ${loss.table} SET ${loss.column} = … WHERE …) in an earlier migration`,
      }),
    )
  }
  return out
}

async function analyzeTableChange(table: Table, change: TableChange, context: ChangeContext, losses: readonly ValueLoss[]): Promise<LintFinding[]> {
  const name = qualifiedName(table)
  const { probe, lossProbe } = context
  switch (change.kind) {
    case 'dropColumn': {
      const column = change.column.name
      const kept = context.valuesKept?.find((k) => k.table === name && k.column === column)
      // Values copied into another column are lost only where the copy lacks one. When that column
      // does not exist yet (an earlier phase of the same run adds it), or the file does not meet the
      // live data as it is (an earlier file of the run, or a resumed backfill, may still fill the
      // copy), the file's check-before guard decides when it runs: it fails rather than lose a value.
      const values =
        kept === undefined ? await lossProbe?.lostValues(name, column) : context.probe === undefined ? undefined : await lossProbe?.uncopied(name, column, kept.keptIn)
      if (kept !== undefined && (values === undefined || values === 0)) {
        return [finding('DS102', `drops column ${name}.${column}, whose values are kept in ${name}.${kept.keptIn}`, { table: name, ...(values === 0 ? { rows: 0 } : {}) })]
      }
      return [
        finding('DS102', `drops column ${name}.${column}${lossSuffix(values, 'holding', 'non-NULL value')}`, {
          table: name,
          ...lossOf(values, { table: name, column, action: 'drops column' }),
          fix: 'stop reading and writing the column in application code first, deploy, then drop it in a later migration',
        }),
      ]
    }
    case 'addColumn': {
      const column = change.column
      if (column.nullable || column.default !== undefined || column.generated !== undefined || column.identity !== undefined) return []
      const rows = await probe?.rows(name)
      return [
        finding('MF102', `adds NOT NULL column ${name}.${column.name} without a default${rows === undefined ? '' : `: ${formatCount(rows)} existing row${rows === 1 ? '' : 's'} would have no value`}`, {
          table: name,
          rows,
          escalate: rows !== undefined && rows > 0,
          fix: 'add the column nullable (or with a default), backfill it, then make it NOT NULL in a later migration',
        }),
      ]
    }
    case 'alterColumn': {
      const out: LintFinding[] = []
      const column = `${name}.${change.to.name}`
      if (change.aspects.includes('nullable') && change.from.nullable && !change.to.nullable) {
        const nulls = await probe?.nulls(name, change.from.name)
        out.push(
          finding('MF103', nulls === undefined ? `makes ${column} NOT NULL` : `makes ${column} NOT NULL: ${formatCount(nulls)} row${nulls === 1 ? '' : 's'} of ${column} ${nulls === 1 ? 'is' : 'are'} NULL`, {
            table: name,
            rows: nulls,
            escalate: nulls !== undefined && nulls > 0,
            fix: `backfill first (UPDATE ${name} SET ${change.to.name} = … WHERE ${change.to.name} IS NULL) in an earlier migration, or add a CHECK (${change.to.name} IS NOT NULL) NOT VALID and validate it`,
          }),
        )
      }
      if (change.aspects.includes('type')) out.push(await analyzeTypeChange(name, change.from.name, change.to.name, `${change.from.type} to ${change.to.type}`, losses, lossProbe))
      else if (change.aspects.includes('generated') && change.from.generated === undefined && change.to.generated !== undefined && losses.some((l) => l.column === change.from.name)) {
        // A stored column becoming generated: its values are replaced by the expression's.
        out.push(await analyzeTypeChange(name, change.from.name, change.to.name, `${change.from.type} to ${change.to.type} GENERATED ALWAYS AS (${change.to.generated.expression})`, losses, lossProbe))
      }
      return out
    }
    case 'renameColumn':
      // A respelling in letter case alone still counts where case is ignored: queries find the
      // column either way, but result rows (`SELECT *`, driver row objects) carry the new spelling.
      return [
        finding('BC101', `renames column ${name}.${change.from.name} to ${change.to.name}`, {
          table: name,
          fix: sameName(change.from.name, change.to.name, context.identifierCase, 'columns')
            ? 'only the letter case changes: queries still find it, but code reading result rows by the old spelling breaks; update it first'
            : 'add the new column, write both, backfill, switch readers, then drop the old column (expand/contract)',
        }),
      ]
    case 'addUnique':
    case 'addIndex': {
      const index = 'index' in change ? change.index : undefined
      const columns = index === undefined ? ('unique' in change ? change.unique.columns : undefined) : index.unique && index.where === undefined ? columnsOf(index.parts) : undefined
      if (columns === undefined) return []
      const label = index === undefined ? `unique constraint on ${name} (${columns.join(', ')})` : `unique index ${index.name} on ${name} (${columns.join(', ')})`
      const duplicates = await probe?.duplicates(name, columns)
      return [
        finding('MF101', `adds ${label}${duplicates === undefined ? '' : `: ${formatCount(duplicates)} duplicate row${duplicates === 1 ? '' : 's'}`}`, {
          table: name,
          rows: duplicates,
          escalate: duplicates !== undefined && duplicates > 0,
          fix: 'find and resolve duplicates first (GROUP BY … HAVING count(*) > 1); on PostgreSQL build the index CONCURRENTLY, then attach the constraint',
        }),
      ]
    }
    case 'addForeignKey': {
      const fk = change.foreignKey
      const ref = fk.refSchema === undefined ? fk.refTable : `${fk.refSchema}.${fk.refTable}`
      const orphans = await probe?.orphans(name, fk.columns, ref, fk.refColumns)
      return [
        finding('MF105', `adds foreign key ${name} (${fk.columns.join(', ')}) → ${ref}${orphans === undefined ? ': existing rows must all have a parent' : `: ${formatCount(orphans)} row${orphans === 1 ? ' has' : 's have'} no parent`}`, {
          table: name,
          rows: orphans,
          escalate: orphans !== undefined && orphans > 0,
          fix: 'delete or fix orphan rows first; on PostgreSQL add it NOT VALID and VALIDATE CONSTRAINT later',
        }),
      ]
    }
    case 'addCheck': {
      const violations = await probe?.violations(name, change.check.expression)
      return [
        finding('MF105', `adds check ${change.check.name ?? `(${change.check.expression})`} on ${name}${violations === undefined ? ': existing rows must all pass it' : `: ${formatCount(violations)} row${violations === 1 ? ' fails' : 's fail'} it`}`, {
          table: name,
          rows: violations,
          escalate: violations !== undefined && violations > 0,
          fix: 'check the data first (SELECT count(*) … WHERE NOT (expression)); on PostgreSQL add it NOT VALID and validate later',
        }),
      ]
    }
    case 'dropIndex':
    case 'renameIndex':
    case 'dropUnique':
    case 'dropForeignKey':
    case 'dropCheck':
    case 'addPrimaryKey':
    case 'dropPrimaryKey':
    case 'alterComment':
    case 'alterOptions':
      return []
    default:
      return assertNever(change)
  }
}

/** Two spellings the server takes for one name (never so where case matters). */
function sameName(a: string, b: string, cases: IdentifierCase | undefined, kind: NameKind): boolean {
  const nameCase = cases?.[kind]
  return nameCase !== undefined && nameCase !== 'sensitive' && nameKey(a, cases, kind) === nameKey(b, cases, kind)
}

function finding(
  code: Code,
  message: string,
  extra: { table?: string; rows?: number; escalate?: boolean; fix?: string; loss?: DataLoss },
): LintFinding {
  return {
    code,
    severity: extra.escalate === true ? 'error' : CODES[code].severity,
    message,
    ...(extra.fix === undefined ? {} : { fix: extra.fix }),
    ...(extra.table === undefined ? {} : { table: extra.table }),
    ...(extra.rows === undefined ? {} : { rows: extra.rows }),
    ...(extra.loss === undefined ? {} : { loss: extra.loss }),
  }
}

/** ` with 1,204 rows`; nothing when there is nothing to lose or no count. */
function lossSuffix(count: LossCount, word: string, unit: string): string {
  if (count === undefined || count === 0) return ''
  if (count === 'unknown') return ` ${word} ${unit}s that could not be counted`
  return ` ${word} ${formatCount(count)} ${unit}${count === 1 ? '' : 's'}`
}

/** A positive (or unknown) count makes the finding an error that destroys data. */
function lossOf(count: LossCount, loss: Omit<DataLoss, 'rows'>): { rows?: number; escalate?: boolean; loss?: DataLoss } {
  if (count === undefined || count === 0) return count === 0 ? { rows: 0 } : {}
  const rows = count === 'unknown' ? undefined : count
  return { ...(rows === undefined ? {} : { rows }), escalate: true, loss: { ...loss, ...(rows === undefined ? {} : { rows }) } }
}

/**
 * MF104: a column type change. The dialect says which stored values the conversion would not keep
 * (`valueLosses`); counted on the live database, any such row makes it an error that needs consent.
 */
async function analyzeTypeChange(
  table: string,
  from: string,
  to: string,
  types: string,
  losses: readonly ValueLoss[],
  lossProbe: DataProbe | undefined,
): Promise<LintFinding> {
  const mine = losses.filter((l) => l.column === from || l.column === to)
  const column = `${table}.${to}`
  const fix = 'add a new column of the new type, backfill and switch readers, then drop the old one; or fix the values that do not fit first'
  if (mine.length === 0) return finding('MF104', `changes the type of ${column} from ${types}`, { table, fix })
  const counts = await Promise.all(mine.map(async (loss) => ({ loss, rows: await lossProbe?.lostByConversion(loss) })))
  const found = counts.filter((c) => c.rows !== undefined && c.rows !== 0)
  if (found.length === 0) {
    const checked = counts.every((c) => c.rows === 0)
    return finding('MF104', `narrows ${column} from ${types}${checked ? ': every current value fits (the migration checks again before it runs)' : `: values ${mine.map((l) => l.reason).join(' or ')} would not fit`}`, { table, fix, ...(checked ? { rows: 0 } : {}) })
  }
  const known = found.every((c) => c.rows !== 'unknown')
  const rows = found.reduce((sum, c) => sum + (c.rows === 'unknown' ? 0 : (c.rows ?? 0)), 0)
  const reasons = found.map((c) => `${c.rows === 'unknown' ? 'an unknown number' : formatCount(c.rows as number)} ${c.loss.reason}`).join(', ')
  return finding('MF104', `narrows ${column} from ${types}: values that do not fit: ${reasons}`, {
    table,
    fix,
    ...lossOf(known ? rows : 'unknown', { table, column: to, action: `converts ${types}` }),
  })
}

function columnsOf(parts: readonly { readonly column?: string }[]): string[] | undefined {
  const columns = parts.map((p) => p.column)
  return columns.every((c): c is string => c !== undefined) ? columns : undefined
}
