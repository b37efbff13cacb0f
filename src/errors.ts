import type { FileDataLoss } from './safety/consent.js'

/**
 * Every error a user can cause or meet. The CLI maps `exitCode` to the process exit code and prints
 * `message` as one line (the stack only under --verbose). Messages say what, where and what to do,
 * and never contain a password: URLs go through `redactUrl` before they reach a message. Control
 * characters in a message (from file names, SQL, identifiers, server errors) are escaped
 * (`escapeControl`), so no message can drive the user's terminal.
 */
export class MigratorError extends Error {
  /** 1 = error (bad input, connection, failed migration); 2 = a check found something. */
  readonly exitCode: 1 | 2
  readonly code: string

  constructor(code: string, message: string, options: { cause?: unknown; exitCode?: 1 | 2 } = {}) {
    super(escapeControl(message), options.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.code = code
    this.exitCode = options.exitCode ?? 1
  }
}

/**
 * `up`/`down` would destroy stored data (src/safety/consent.ts) and the user did not consent.
 * Raised before anything runs: nothing changed.
 */
export class DataLossError extends MigratorError {
  constructor(
    readonly losses: readonly FileDataLoss[],
    message: string,
  ) {
    super('data-loss', message)
  }
}

/** Config file missing, unreadable or invalid; `path` names the offending key (`envs.production.url`). */
export class ConfigError extends MigratorError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('config', message, options)
  }
}

/** A database URL that cannot be parsed or names an unsupported dialect. */
export class UrlError extends MigratorError {
  constructor(message: string) {
    super('url', message)
  }
}

/** Cannot connect, or the server refused what we asked for before any migration ran. */
export class ConnectionError extends MigratorError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('connection', message, options)
  }
}

/** The migration directory is malformed: bad file name, duplicate version, empty up file, … */
export class DirectoryError extends MigratorError {
  constructor(message: string) {
    super('directory', message)
  }
}

/** migrator.sum does not match the files on disk; `files` names them when the sum itself is readable. */
export class SumMismatchError extends MigratorError {
  constructor(
    message: string,
    readonly files: { readonly added: readonly string[]; readonly removed: readonly string[]; readonly changed: readonly string[] } = { added: [], removed: [], changed: [] },
  ) {
    super('sum', message)
  }
}

/** An applied migration's file changed after it was applied. */
export class ChecksumMismatchError extends MigratorError {
  readonly file: string
  readonly expected: string
  readonly actual: string

  constructor(data: { file: string; expected: string; actual: string }) {
    super(
      'checksum',
      `${data.file} changed after it was applied (sha256 ${short(data.expected)} in history ≠ ${short(data.actual)} on disk); ` +
        'restore the file, or run `migrator repair` if the edit is intentional',
    )
    this.file = data.file
    this.expected = data.expected
    this.actual = data.actual
  }
}

/** History holds a `failed` row: a previous run could not undo a partial migration. */
export class FailedMigrationError extends MigratorError {
  /** `reverted`: the row is a down left part-way (HistoryRow.reverting) with that many of its statements run. */
  constructor(version: string, name: string, reverted?: number) {
    super(
      'failed-migration',
      reverted === undefined
        ? `migration ${version}_${name} is recorded as failed; inspect the database, then run \`migrator repair\``
        : `the down of migration ${version}_${name} stopped part-way (${reverted} of its statements ran); run \`migrator down\` to finish reverting it, ` +
            'or undo those statements by hand and run `migrator repair`',
    )
  }
}

/** Applied versions that no longer have a file in the directory. */
export class MissingMigrationError extends MigratorError {
  constructor(versions: readonly string[]) {
    super(
      'missing-migration',
      `applied migration${versions.length > 1 ? 's' : ''} ${versions.join(', ')} not found in the migration directory; ` +
        'restore the files, or pass --allow-missing',
    )
  }
}

/** Pending migrations older than the newest applied one (SPEC: `up` refuses them unless `--allow-out-of-order`). */
export class OutOfOrderError extends MigratorError {
  constructor(
    readonly files: readonly string[],
    readonly newest: string,
  ) {
    super(
      'out-of-order',
      `${files.length} pending migration${files.length === 1 ? ' is' : 's are'} older than ${newest}, the newest applied one (out of order, e.g. merged from another branch): ${files.join(', ')}; ` +
        'nothing was changed; if they are independent of what ran since, apply them with `migrator up --allow-out-of-order` (config `allowOutOfOrder: true`), ' +
        'or give them a version after the newest with `migrator rebase <version>`',
    )
  }
}

/** The declared target could not be loaded or applied to the scratch database. */
export class TargetError extends MigratorError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('target', message, options)
  }
}

/** A statement, check or history write of one migration failed; the migration was rolled back. */
export class MigrationFailedError extends MigratorError {
  readonly version: string
  readonly file: string
  readonly line?: number
  readonly statement?: string

  constructor(data: { version: string; file: string; line?: number; statement?: string; reason: string; cause?: unknown }) {
    const where = data.line === undefined ? data.file : `${data.file}:${data.line}`
    super('migration-failed', `${where}: ${data.reason}`, { cause: data.cause })
    this.version = data.version
    this.file = data.file
    this.line = data.line
    this.statement = data.statement
  }
}

/** Another runner holds the migration lock past the wait limit. */
export class LockTimeoutError extends MigratorError {
  constructor(message: string) {
    super('lock-timeout', message)
  }
}

/** A check found something (drift, pending migrations, changes): exit code 2. */
export class CheckFailedError extends MigratorError {
  constructor(message: string) {
    super('check', message, { exitCode: 2 })
  }
}

/** A plan or a user request that cannot be carried out safely. */
export class UnsupportedChangeError extends MigratorError {
  constructor(message: string) {
    super('unsupported', message)
  }
}

/**
 * A migration a killed (or still running) run left part-way, whose state cannot be settled from the
 * database: the statement that was running may or may not have taken effect. Nothing ran.
 */
export class InterruptedMigrationError extends MigratorError {
  readonly version: string

  constructor(data: { version: string; name: string; message: string }) {
    super('interrupted-migration', data.message)
    this.version = data.version
  }
}

/** A migration file or target that is not UTF-8 text; names the file and the byte offset. */
export class NotTextError extends MigratorError {
  readonly file: string
  readonly offset: number

  constructor(data: { code: 'directory' | 'target'; file: string; offset: number; line: number; problem: string; fix: string }) {
    super(data.code, `${data.file} is not UTF-8 text: ${data.problem} at byte offset ${data.offset} (line ${data.line}); ${data.fix}`)
    this.file = data.file
    this.offset = data.offset
  }
}

/**
 * `text` with every control character that could move the cursor, recolor, retitle or rewrite a
 * terminal (C0 except tab and newline, DEL, C1, bidirectional overrides) written as a visible
 * `\x1b` / `\u202e` escape. Newlines stay: the CLI joins a message's lines itself.
 */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0)
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`
  })
}

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

function short(hash: string): string {
  return hash.slice(0, 12)
}
