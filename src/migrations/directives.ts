import { DirectoryError } from '../errors.js'
import { parseBackfillDirective, type BackfillDirective } from '../backfill/directive.js'
import type { Directives, ValuesKept } from './file.js'

/** Which file a directive block belongs to: down files may carry `undo` group markers. */
export type DirectiveScope = 'up' | 'down'

const PREFIX = /^--\s*migrator:/i

/**
 * Parses the leading comment block of a migration file (comment and blank lines before the first
 * statement): `-- migrator:no-transaction`, `-- migrator:check-before <SQL>`,
 * `-- migrator:check-after <SQL>`. Down files may also hold `-- migrator:undo <i>` markers there.
 * An unknown `-- migrator:` directive throws DirectoryError naming the file and line, so a typo
 * (`no-transation`) never silently runs a migration in the wrong mode.
 * `-- migrator:` comments after the first statement are not directives and are ignored.
 */
export function parseDirectives(text: string, file: string, scope: DirectiveScope = 'up'): Directives {
  let noTransaction = false
  const checksBefore: string[] = []
  const checksAfter: string[] = []
  let expectSchema: string | undefined
  let expectChanges: { before: string; after: string } | undefined
  let allowRowChange = false
  const backfills: BackfillDirective[] = []
  const valuesKept: ValuesKept[] = []
  const lines = text.replace(/\r\n/g, '\n').split('\n')
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim()
    if (line === '') continue
    if (!line.startsWith('--')) break
    if (!PREFIX.test(line)) continue
    const body = line.replace(PREFIX, '').trim()
    const [name = '', ...rest] = body.split(/\s+/)
    const argument = body.slice(name.length).trim()
    const where = `${file}:${index + 1}`
    switch (name.toLowerCase()) {
      case 'no-transaction':
        if (rest.length > 0) throw new DirectoryError(`${where}: \`-- migrator:no-transaction\` takes no argument; remove "${argument}"`)
        noTransaction = true
        break
      case 'check-before':
      case 'check-after': {
        const sql = argument.replace(/;\s*$/, '').trim()
        if (sql === '') {
          throw new DirectoryError(`${where}: \`-- migrator:${name}\` needs a query returning one value, e.g. \`-- migrator:${name} SELECT count(*) = 0 FROM users\``)
        }
        if (name.toLowerCase() === 'check-before') checksBefore.push(sql)
        else checksAfter.push(sql)
        break
      }
      case 'expect-schema': {
        const scoped = /^(sha256:[0-9a-f]{64})\s*->\s*(sha256:[0-9a-f]{64})$/.exec(argument)
        if (scoped !== null) expectChanges = { before: scoped[1]!, after: scoped[2]! }
        else if (/^sha256:[0-9a-f]{64}$/.test(argument)) expectSchema = argument
        else {
          throw new DirectoryError(`${where}: \`-- migrator:expect-schema\` takes sha256:<64 hex digits> -> sha256:<64 hex digits> (written by \`migrator diff\`); got "${argument}"`)
        }
        break
      }
      case 'allow-row-change':
        if (rest.length > 0) throw new DirectoryError(`${where}: \`-- migrator:allow-row-change\` takes no argument; remove "${argument}"`)
        allowRowChange = true
        break
      case 'backfill':
        backfills.push(parseBackfillDirective(argument, where, index + 1))
        break
      case 'values-kept': {
        const match = /^(\S+)\.([^.\s]+)\s+in\s+(\S+)$/i.exec(argument)
        if (match === null) throw new DirectoryError(`${where}: \`-- migrator:values-kept\` takes <table>.<column> in <column>, e.g. \`-- migrator:values-kept users.email in email_address\`; got "${argument}"`)
        valuesKept.push({ table: match[1]!, column: match[2]!, keptIn: match[3]! })
        break
      }
      case 'undo':
        if (scope === 'down') break
        throw new DirectoryError(`${where}: \`-- migrator:undo\` belongs in a .down.sql file; remove it from the up file`)
      default:
        throw new DirectoryError(
          `${where}: unknown directive \`-- migrator:${name}\`; expected no-transaction, check-before <SQL>, check-after <SQL>, allow-row-change, values-kept <table>.<column> in <column> or backfill table=… set=… where=… batch=…`,
        )
    }
  }
  return {
    noTransaction,
    checksBefore,
    checksAfter,
    ...(expectSchema === undefined ? {} : { expectSchema }),
    ...(expectChanges === undefined ? {} : { expectChanges }),
    ...(allowRowChange ? { allowRowChange } : {}),
    ...(backfills.length > 0 ? { backfills } : {}),
    ...(valuesKept.length > 0 ? { valuesKept } : {}),
  }
}

/** Directives of a file that has none (modules, or SQL without a directive block). */
export const NO_DIRECTIVES: Directives = { noTransaction: false, checksBefore: [], checksAfter: [] }
