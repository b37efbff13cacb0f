import { parseFileName } from './directory.js'

/**
 * What `migrator new` writes into each new file, by file name: a comment for the up and down
 * files, a module skeleton for `--ts`. migrator.sum keeps recording this text's hash for the file
 * until `migrator hash` (or `repair`) records the edited file, so the edits the new file exists for
 * need no `hash` before `status`, `lint`, `diff` and `up` accept them (see verifySum); `validate`
 * reports them until then. Undefined for names `new` never writes.
 */
export function draftText(fileName: string): string | undefined {
  const entry = parseFileName(fileName)
  if (entry === undefined) return undefined
  const base = `${entry.version}_${entry.slug}`
  if (entry.role === 'up') return `-- ${base}: write the statements that apply this migration.\n`
  if (entry.role === 'down') return `-- ${base}: write the statements that undo the up file.\n`
  return fileName.endsWith('.ts') ? moduleText(base) : undefined
}

function moduleText(base: string): string {
  return `// ${base}: a data migration. Each function runs inside the migration's transaction where the
// database allows it: ctx.db (raw SQL with ? parameters) and ctx.knex (query builder) are that transaction.
import type { MigrationContext } from 'migrator'

export async function up(ctx: MigrationContext): Promise<void> {
  // await ctx.db.exec("UPDATE users SET status = ? WHERE status IS NULL", ['active'])
}

export async function down(ctx: MigrationContext): Promise<void> {
  // await ctx.db.exec("UPDATE users SET status = NULL WHERE status = ?", ['active'])
}
`
}
