import { CODES } from '../../lint/codes.js'
import type { LintFinding, LintHookContext } from '../../lint/finding.js'
import { formatCount } from '../../lint/finding.js'
import type { Change, TableChange } from '../../schema/changes.js'
import type { Column, Table } from '../../schema/model.js'
import type { Flavor } from './flavor.js'

type AlterTable = Extract<Change, { kind: 'alterTable' }>

/**
 * MySQL/MariaDB's lint hook. LK201: an ALTER on an existing table with rows that InnoDB can run
 * neither INSTANT nor INPLACE, so it copies the table (ALGORITHM=COPY) and blocks writes for the
 * whole copy. What copies (InnoDB online DDL tables of MySQL 8.0 and MariaDB 10.6+):
 * a column type change other than widening a VARCHAR within its length-byte class or appending
 * ENUM/SET members; a charset/collation change (in place on MariaDB 10.4.3+:
 * `flavor.inplaceCollationChange`); a stored generated column added or changed; a primary key
 * dropped without another added in the same statement; a foreign key or CHECK added (with
 * foreign_key_checks on); CONVERT TO CHARACTER SET and ENGINE changes. Pure.
 */
export function lintChange(change: Change, context: LintHookContext, flavor: Flavor): readonly LintFinding[] {
  if (change.kind !== 'alterTable') return []
  const table = change.from.name
  const rows = context.rows?.get(table)
  if (rows === undefined || rows === 0) return []
  const reasons = change.changes.map((c) => copyReason(c, change, context.statements, flavor)).filter((r): r is string => r !== undefined)
  if (reasons.length === 0) return []
  return [
    {
      code: 'LK201',
      severity: CODES.LK201.severity,
      message: `${reasons.join('; ')}: ${flavor.label} cannot do this INSTANT or INPLACE, so it copies all ${formatCount(rows)} row${rows === 1 ? '' : 's'} of ${table} while writes wait`,
      fix: 'run it with an online schema change tool (gh-ost, pt-online-schema-change) or in a maintenance window; for a new type, add a column, backfill it in batches and switch over',
      table,
      rows,
    },
  ]
}

/** Why one table change needs ALGORITHM=COPY, or undefined when InnoDB does it INSTANT/INPLACE. */
function copyReason(c: TableChange, change: AlterTable, statements: readonly string[], flavor: Flavor): string | undefined {
  const t = change.from.name
  switch (c.kind) {
    case 'alterColumn': {
      const where = `${t}.${c.to.name}`
      if (c.aspects.includes('generated') && (c.from.generated?.stored === true || c.to.generated?.stored === true)) return `changes stored generated column ${where}`
      if (c.aspects.includes('type') && !inplaceTypeChange(c.from, c.to, change.from, change.to)) return `changes column ${where} from ${c.from.type} to ${c.to.type}`
      if (c.aspects.includes('collation') && !flavor.inplaceCollationChange) {
        return `changes the collation of ${where} to ${collationOf(c.to, change.to) ?? 'the table default'}`
      }
      return undefined
    }
    case 'addColumn':
      return c.column.generated?.stored === true ? `adds stored generated column ${t}.${c.column.name}` : undefined
    case 'dropPrimaryKey': {
      // DROP + ADD PRIMARY KEY in one ALTER rebuilds in place; a bare DROP copies.
      const combined = statements.some((s) => /\bDROP\s+PRIMARY\s+KEY\b/i.test(s) && /\bADD\s+(?:CONSTRAINT\s+\S+\s+)?PRIMARY\s+KEY\b/i.test(s))
      return combined ? undefined : `drops the primary key of ${t} without adding one in the same statement`
    }
    case 'addForeignKey':
      return `adds foreign key ${c.foreignKey.name ?? `(${c.foreignKey.columns.join(', ')})`} on ${t}`
    case 'addCheck':
      return `adds check ${c.check.name ?? c.check.expression} on ${t}`
    case 'alterOptions': {
      if (typeof c.to.engine === 'string' && c.to.engine !== c.from.engine) return `changes the engine of ${t} to ${c.to.engine}`
      const charset = typeof c.to.charset === 'string' && c.to.charset !== c.from.charset
      if (charset) return `converts ${t} to character set ${String(c.to.charset)}`
      return undefined
    }
    default:
      return undefined
  }
}

/**
 * Type changes InnoDB does without a copy: a VARCHAR widened while its length prefix stays one
 * byte (≤ 255 bytes) or stays two, and ENUM/SET members appended at the end.
 */
function inplaceTypeChange(from: Column, to: Column, fromTable: Table, toTable: Table): boolean {
  const varchar = /^varchar\((\d+)\)$/i
  const fv = varchar.exec(from.type)
  const tv = varchar.exec(to.type)
  if (fv !== null && tv !== null && collationOf(from, fromTable) === collationOf(to, toTable)) {
    const bytes = bytesPerChar(collationOf(to, toTable))
    const before = Number(fv[1]) * bytes
    const after = Number(tv[1]) * bytes
    return after >= before && (before > 255) === (after > 255)
  }
  const members = /^(enum|set)\((.*)\)$/i
  const fm = members.exec(from.type)
  const tm = members.exec(to.type)
  if (fm !== null && tm !== null && fm[1]!.toLowerCase() === tm[1]!.toLowerCase()) {
    // Appending keeps every stored value; the storage size must stay the same too.
    const kind = fm[1]!.toLowerCase() as 'enum' | 'set'
    return tm[2]!.startsWith(fm[2]!) && storageBytes(kind, memberCount(fm[2]!)) === storageBytes(kind, memberCount(tm[2]!))
  }
  return false
}

/** Bytes an ENUM (1 up to 255 members, else 2) or SET (1, 2, 3, 4 or 8) value takes. */
function storageBytes(kind: 'enum' | 'set', members: number): number {
  if (kind === 'enum') return members <= 255 ? 1 : 2
  const bytes = Math.ceil(members / 8)
  return bytes > 4 ? 8 : bytes
}

function memberCount(list: string): number {
  return list.split(/'(?:[^']|'')*'/).length - 1
}

function collationOf(column: Column, table: Table): string | undefined {
  const fromTable = table.options.collation
  return column.collation ?? (typeof fromTable === 'string' ? fromTable : undefined)
}

/** Maximum bytes per character of a collation's charset (utf8mb4 unless told otherwise). */
function bytesPerChar(collation: string | undefined): number {
  if (collation === undefined) return 4
  if (/^utf8mb4/i.test(collation)) return 4
  if (/^(utf8mb3|utf8)_/i.test(collation)) return 3
  if (/^(ucs2|utf16|utf32)/i.test(collation)) return 4
  if (/^(latin\d|ascii|binary|cp\d+|koi8|dec8|hp8|swe7|greek|hebrew|armscii8|geostd8|keybcs2|macce|macroman)/i.test(collation)) return 1
  return 4
}
