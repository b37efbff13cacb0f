import { readFileSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { DirectoryError, NotTextError } from '../errors.js'
import { NO_DIRECTIVES, parseDirectives } from './directives.js'
import { checksumOf, type MigrationFile } from './file.js'
import { textProblem } from './utf8.js'

/** The integrity file kept next to the migrations. */
export const SUM_FILE = 'migrator.sum'

/** `<14-digit version>_<slug>.up.sql | .down.sql | .ts | .js` */
const FILE_NAME = /^(\d{14})_([a-z0-9_]+)\.(up\.sql|down\.sql|ts|js)$/
const EXPECTED = '<14-digit version>_<slug>.up.sql, .down.sql, .ts or .js with slug [a-z0-9_]+ (e.g. 20240102030405_add_users.up.sql)'

type Role = 'up' | 'down' | 'module'

/** One directory entry whose name is a migration file name. */
export interface MigrationEntry {
  readonly name: string
  readonly version: string
  readonly slug: string
  readonly role: Role
}

/** Files that live in a migration directory without being migrations (data tests are `migrator test`'s: src/migration-test/data-test.ts). */
export function isIgnoredFile(name: string): boolean {
  return name === SUM_FILE || name.startsWith('.') || /^readme/i.test(name) || DATA_TEST_FILE.test(name)
}

/** `<version>_<slug>.test.sql`: a migration's data test, beside its pair. */
export const DATA_TEST_FILE = /^(\d{14})_([a-z0-9_]+)\.test\.sql$/

/** Parses a migration file name; undefined when it does not follow the pattern. */
export function parseFileName(name: string): MigrationEntry | undefined {
  const match = FILE_NAME.exec(name)
  if (match === null) return undefined
  const [, version = '', slug = '', suffix = ''] = match
  const role: Role = suffix === 'up.sql' ? 'up' : suffix === 'down.sql' ? 'down' : 'module'
  return { name, version, slug, role }
}

/**
 * Lists the migration file names of `dir` (regular files, ignored names skipped), sorted by name.
 * Throws DirectoryError when the directory is missing or unreadable, or a name is malformed.
 */
export async function listMigrationEntries(dir: string): Promise<MigrationEntry[]> {
  let names: string[]
  try {
    const dirents = await readdir(dir, { withFileTypes: true })
    names = dirents.filter((d) => d.isFile() || d.isSymbolicLink()).map((d) => d.name)
  } catch (error) {
    throw directoryUnreadable(dir, error)
  }
  const entries: MigrationEntry[] = []
  for (const name of names.sort(byCodePoint)) {
    if (isIgnoredFile(name)) continue
    const entry = parseFileName(name)
    if (entry === undefined) {
      throw new DirectoryError(`${path.join(dir, name)}: malformed migration file name; expected ${EXPECTED}, or move the file out of the directory`)
    }
    entries.push(entry)
  }
  return entries
}

/**
 * Reads every migration of `dir`, sorted by version. SQL pairs are parsed for directives; `.ts`/`.js`
 * modules are read as text for the checksum only (the runner imports them).
 * Throws DirectoryError (one line: what, which file, what to do) for a missing or unreadable
 * directory, a malformed file name, a duplicate version and a down file without an up file. An up
 * file holding only comments (what `migrator new` writes) is read: `up` refuses to apply it
 * (emptyMigrationError), everything else may list, lint and replay it.
 */
export async function readDirectory(dir: string): Promise<MigrationFile[]> {
  const byVersion = new Map<string, MigrationEntry[]>()
  for (const entry of await listMigrationEntries(dir)) {
    const group = byVersion.get(entry.version) ?? []
    group.push(entry)
    byVersion.set(entry.version, group)
  }
  // In version order, so a problem is reported for the first migration that has one.
  return [...byVersion].sort(([a], [b]) => byCodePoint(a, b)).map(([version, group]) => readMigration(dir, version, group))
}

function readMigration(dir: string, version: string, group: readonly MigrationEntry[]): MigrationFile {
  const first = group[0]
  if (first === undefined) throw new Error(`empty group for version ${version}`)
  const ups = group.filter((e) => e.role !== 'down')
  const downs = group.filter((e) => e.role === 'down')
  // Two up files, or files of one version with different slugs: the version no longer names one migration.
  const clash = ups.length > 1 ? [ups[0], ups[1]] : [first, group.find((e) => e.slug !== first.slug)]
  if (clash[1] !== undefined) {
    throw new DirectoryError(
      `duplicate migration version ${version}: ${clash[0]?.name} and ${clash[1].name} in ${dir}; give one of them a new version (\`migrator new\` prints a free one)`,
    )
  }
  const up = ups[0]
  const down = downs[0]
  if (up === undefined) {
    throw new DirectoryError(
      `${path.join(dir, first.name)}: down file without an up file; add ${version}_${first.slug}.up.sql or delete the down file`,
    )
  }
  if (up.role === 'module' && down !== undefined) {
    throw new DirectoryError(
      `duplicate migration version ${version}: ${up.name} and ${down.name} in ${dir}; a module migration exports its own down(), so delete ${down.name}`,
    )
  }
  const upPath = path.join(dir, up.name)
  const upText = readText(upPath)
  const format = up.role === 'module' ? 'module' : 'sql'
  const downText = down === undefined ? undefined : readText(path.join(dir, down.name))
  return {
    version,
    slug: up.slug,
    format,
    upFile: up.name,
    downFile: down?.name,
    path: path.resolve(upPath),
    up: upText,
    down: downText,
    checksum: checksumOf(upText),
    downChecksum: downText === undefined ? undefined : checksumOf(downText),
    directives: format === 'sql' ? parseDirectives(upText, up.name) : NO_DIRECTIVES,
  }
}

/**
 * A migration file's text; NotTextError (file, byte offset) when it is not UTF-8 text. Read
 * synchronously, like the whole directory: migration files are small, and one synchronous read
 * costs a fraction of the open/stat/read/close round trips of fs/promises (and of a promise per
 * file), which dominated `status` with thousands of files.
 */
function readText(file: string): string {
  let bytes: Buffer
  try {
    bytes = readFileSync(file)
  } catch (error) {
    throw new DirectoryError(`${file}: cannot read migration file (${reason(error)}); check its permissions`)
  }
  // Checked before anything parses, hashes or sends the text to a server.
  const problem = textProblem(bytes)
  if (problem !== undefined) {
    throw new NotTextError({ code: 'directory', file, ...problem, fix: 'save it as UTF-8 text, or move it out of the migration directory' })
  }
  return bytes.toString('utf8')
}

/** Why `up` must not apply `file` (its up file holds only comments or whitespace), or undefined. */
export function emptyMigrationError(file: MigrationFile): DirectoryError | undefined {
  if (file.format === 'sql' ? !isEmptySql(file.up) : file.up.trim() !== '') return undefined
  return new DirectoryError(`${file.path}: the up file has no statements (only comments or whitespace); write the migration or delete the file`)
}

/** True when the SQL holds nothing but `--` comments, block comments and whitespace. */
export function isEmptySql(text: string): boolean {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/--[^\n]*/g, '').replace(/;/g, '').trim() === ''
}

/**
 * The version for a new migration: `now` in UTC as YYYYMMDDHHMMSS, or one second past the newest
 * existing version when that is not earlier (two migrations created within a second, or a clock
 * behind a teammate's), so versions stay unique and ordered.
 */
export function nextVersion(existing: readonly string[], now: Date): string {
  const candidate = formatVersion(now)
  const newest = existing.reduce<string | undefined>((max, v) => (max === undefined || v > max ? v : max), undefined)
  if (newest === undefined || candidate > newest) return candidate
  return formatVersion(new Date(parseVersion(newest).getTime() + 1000))
}

/** Date → `YYYYMMDDHHMMSS` in UTC. */
export function formatVersion(date: Date): string {
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0')
  return (
    pad(date.getUTCFullYear(), 4) +
    pad(date.getUTCMonth() + 1) +
    pad(date.getUTCDate()) +
    pad(date.getUTCHours()) +
    pad(date.getUTCMinutes()) +
    pad(date.getUTCSeconds())
  )
}

/** `YYYYMMDDHHMMSS` → Date (UTC). Out-of-range parts roll over, as Date.UTC does. */
export function parseVersion(version: string): Date {
  const part = (start: number, end: number): number => Number(version.slice(start, end))
  return new Date(Date.UTC(part(0, 4), part(4, 6) - 1, part(6, 8), part(8, 10), part(10, 12), part(12, 14)))
}

/** A migration name → `[a-z0-9_]+`: lower case, accents dropped, other runs of characters → `_`. */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
  if (slug === '') {
    throw new DirectoryError(`migration name "${name}" has no letters or digits to build a file name from; use a name like add_users`)
  }
  return slug
}

function directoryUnreadable(dir: string, error: unknown): DirectoryError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  if (code === 'ENOENT') {
    return new DirectoryError(`migration directory ${dir} does not exist; create it (\`migrator init\`) or pass --dir`)
  }
  if (code === 'ENOTDIR') return new DirectoryError(`migration directory ${dir} is not a directory; pass --dir with a directory`)
  return new DirectoryError(`cannot read migration directory ${dir} (${reason(error)}); check its permissions or pass --dir`)
}

function reason(error: unknown): string {
  return error instanceof Error ? ((error as NodeJS.ErrnoException).code ?? error.message) : String(error)
}

/** Plain code-point order: the same on every machine and locale. */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
