import type { BackfillDirective } from '../backfill/directive.js'
import { createHash } from 'node:crypto'

/** Directives read from the SQL comments at the top of an up file. */
export interface Directives {
  /** `-- migrator:backfill …`: chunked backfills run after the statements, resumable. */
  readonly backfills?: readonly BackfillDirective[]
  /** `-- migrator:no-transaction` */
  readonly noTransaction: boolean
  /** `-- migrator:check-before <SQL>`: each must return a truthy single value before statements run. */
  readonly checksBefore: readonly string[]
  /** `-- migrator:check-after <SQL>`: each must return a truthy single value after statements ran. */
  readonly checksAfter: readonly string[]
  /**
   * `-- migrator:expect-schema sha256:<hex>`: fingerprint of the whole schema the file must produce
   * (written by earlier versions of `diff`; still checked).
   */
  readonly expectSchema?: string
  /**
   * `-- migrator:expect-schema sha256:<before> -> sha256:<after>` (written by `diff`): the parts of
   * the schema the file changes, as they must be before and after it (ChangeFingerprint).
   */
  readonly expectChanges?: { readonly before: string; readonly after: string }
  /** `-- migrator:allow-row-change`: the built-in "no rows lost" check is off for this file. */
  readonly allowRowChange?: boolean
  /**
   * `-- migrator:values-kept <table>.<column> in <column>`: the file drops a column whose values an
   * earlier phase copied into another column of the same table (a zero-downtime rename or type
   * change). Dropping it destroys only the values that copy lacks; lint counts those.
   */
  readonly valuesKept?: readonly ValuesKept[]
}

/** A dropped column whose values live on in `keptIn` (see Directives.valuesKept). */
export interface ValuesKept {
  /** The table as messages name it (`public.users`, `users`). */
  readonly table: string
  readonly column: string
  readonly keptIn: string
}

/** One migration of the directory: a `.up.sql`/`.down.sql` pair (or a `.ts`/`.js` module). */
export interface MigrationFile {
  /** 14-digit UTC timestamp `YYYYMMDDHHMMSS`. */
  readonly version: string
  /** `[a-z0-9_]+` */
  readonly slug: string
  readonly format: 'sql' | 'module'
  /** File name of the up file (or module) relative to the directory, for messages. */
  readonly upFile: string
  readonly downFile?: string
  /** Absolute path of the up file (or module). */
  readonly path: string
  readonly up: string
  readonly down?: string
  readonly checksum: string
  readonly downChecksum?: string
  readonly directives: Directives
}

/** sha256 of the text with CRLF normalized to LF (SPEC: checksum of a migration). */
export function checksumOf(text: string): string {
  return createHash('sha256').update(text.replace(/\r\n/g, '\n'), 'utf8').digest('hex')
}
