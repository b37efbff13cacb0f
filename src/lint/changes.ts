import { assertNever, type Change, type TableChange } from '../schema/changes.js'
import { qualifiedName, type Table } from '../schema/model.js'
import { CODES, type Code } from './codes.js'
import { formatCount, type LintFinding } from './finding.js'
import type { DataProbe } from './probe.js'

/**
 * Findings for a migration's change list (what `diffSchemas(before, after)` says it does). With a
 * probe (the live database is reachable) data-dependent analyzers count the rows that would make
 * the migration fail or lose data, and a positive count makes the finding an error.
 */
export async function analyzeChanges(changes: readonly Change[], probe?: DataProbe): Promise<LintFinding[]> {
  const findings: LintFinding[] = []
  for (const change of changes) findings.push(...(await analyzeChange(change, probe)))
  return findings
}

async function analyzeChange(change: Change, probe: DataProbe | undefined): Promise<LintFinding[]> {
  switch (change.kind) {
    case 'dropTable': {
      const table = qualifiedName(change.table)
      const rows = await probe?.rows(table)
      return [
        finding('DS101', `drops table ${table}${rowsSuffix(rows, 'with')}`, {
          table,
          rows,
          fix: 'stop using the table in application code first, back it up (`migrator backup`), then drop it in a later release',
        }),
      ]
    }
    case 'renameTable':
      return [
        finding('BC102', `renames table ${qualifiedName(change.from)} to ${qualifiedName(change.to)}`, {
          table: qualifiedName(change.to),
          fix: 'create the new table (or a view under the old name) and migrate readers first; rename in a later release',
        }),
      ]
    case 'alterTable': {
      const out: LintFinding[] = []
      for (const inner of change.changes) out.push(...(await analyzeTableChange(change.from, inner, probe)))
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
    case 'createTable':
    case 'createView':
    case 'createObject':
    case 'alterObject':
      return []
    default:
      return assertNever(change)
  }
}

async function analyzeTableChange(table: Table, change: TableChange, probe: DataProbe | undefined): Promise<LintFinding[]> {
  const name = qualifiedName(table)
  switch (change.kind) {
    case 'dropColumn': {
      const rows = await probe?.rows(name)
      return [
        finding('DS102', `drops column ${name}.${change.column.name}${rowsSuffix(rows, 'holding data in')}`, {
          table: name,
          rows,
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
      if (change.aspects.includes('type')) {
        const to = lengthOf(change.to.type)
        const from = lengthOf(change.from.type)
        const narrowed = to !== undefined && baseType(change.from.type) === baseType(change.to.type) && (from === undefined || to < from)
        const tooLong = narrowed ? await probe?.longerThan(name, change.from.name, to) : undefined
        out.push(
          finding(
            'MF104',
            narrowed
              ? `narrows ${column} from ${change.from.type} to ${change.to.type}${tooLong === undefined ? '' : `: ${formatCount(tooLong)} row${tooLong === 1 ? '' : 's'} hold${tooLong === 1 ? 's' : ''} longer values`}`
              : `changes the type of ${column} from ${change.from.type} to ${change.to.type}`,
            {
              table: name,
              rows: tooLong,
              escalate: tooLong !== undefined && tooLong > 0,
              fix: 'add a new column of the new type, backfill and switch readers, then drop the old one; or check the data fits first',
            },
          ),
        )
      }
      return out
    }
    case 'renameColumn':
      return [
        finding('BC101', `renames column ${name}.${change.from.name} to ${change.to.name}`, {
          table: name,
          fix: 'add the new column, write both, backfill, switch readers, then drop the old column (expand/contract)',
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
    case 'addForeignKey':
      return [
        finding('MF105', `adds foreign key ${name} (${change.foreignKey.columns.join(', ')}) → ${change.foreignKey.refTable}: existing rows must all have a parent`, {
          table: name,
          fix: 'delete or fix orphan rows first; on PostgreSQL add it NOT VALID and VALIDATE CONSTRAINT later',
        }),
      ]
    case 'addCheck':
      return [
        finding('MF105', `adds check ${change.check.name ?? `(${change.check.expression})`} on ${name}: existing rows must all pass it`, {
          table: name,
          fix: 'check the data first (SELECT count(*) … WHERE NOT (expression)); on PostgreSQL add it NOT VALID and validate later',
        }),
      ]
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

function finding(
  code: Code,
  message: string,
  extra: { table?: string; rows?: number; escalate?: boolean; fix?: string },
): LintFinding {
  return {
    code,
    severity: extra.escalate === true ? 'error' : CODES[code].severity,
    message,
    ...(extra.fix === undefined ? {} : { fix: extra.fix }),
    ...(extra.table === undefined ? {} : { table: extra.table }),
    ...(extra.rows === undefined ? {} : { rows: extra.rows }),
  }
}

function rowsSuffix(rows: number | undefined, word: string): string {
  return rows === undefined || rows === 0 ? '' : ` ${word} ${formatCount(rows)} row${rows === 1 ? '' : 's'}`
}

function columnsOf(parts: readonly { readonly column?: string }[]): string[] | undefined {
  const columns = parts.map((p) => p.column)
  return columns.every((c): c is string => c !== undefined) ? columns : undefined
}

/** `varchar(20)` → 20; `numeric(10,2)` → 10; undefined without a length. */
function lengthOf(type: string): number | undefined {
  const match = /\(\s*(\d+)/.exec(type)
  return match === null ? undefined : Number(match[1])
}

function baseType(type: string): string {
  return type.replace(/\(.*$/, '').trim().toLowerCase()
}
