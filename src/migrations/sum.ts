import { createHash } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { SumMismatchError } from '../errors.js'
import { byCodePoint, listMigrationEntries, SUM_FILE } from './directory.js'
import { draftText } from './draft.js'
import { checksumOf } from './file.js'

/** The integrity record of a migration directory: one hash per file and a total over them. */
export interface Sum {
  /** sha256 over the file lines (`<name> <hash>`) joined with '\n'. */
  readonly total: string
  /** Sorted by file name (code-point order). */
  readonly files: readonly { readonly name: string; readonly hash: string }[]
  /**
   * verifySum: files `migrator new` created that were edited since while migrator.sum still
   * records them as created (see draftText); `migrator hash` records the edits.
   */
  readonly drafts?: readonly string[]
}

/** Hashes every migration file of `dir` (content with CRLF → LF). Throws DirectoryError like readDirectory. */
export async function computeSum(dir: string): Promise<Sum> {
  const entries = await listMigrationEntries(dir)
  const hashes = await Promise.all(entries.map(async (entry) => checksumOf(await readFile(path.join(dir, entry.name), 'utf8'))))
  return sumOf(entries.map((entry, i) => ({ name: entry.name, hash: hashes[i]! })))
}

/** The Sum of files already hashed (each file's name and checksum), in any order. */
export function sumOf(hashed: readonly { readonly name: string; readonly hash: string }[]): Sum {
  const files = [...hashed].sort((a, b) => byCodePoint(a.name, b.name))
  return { total: totalOf(files), files }
}

/** `migrator.sum` text: `sha256 <total>`, then `<file name> <sha256>` per file, newline-terminated. */
export function formatSum(sum: Sum): string {
  return [`sha256 ${sum.total}`, ...fileLines(sum.files)].join('\n') + '\n'
}

/**
 * Writes `<dir>/migrator.sum` for the files on disk (`migrator hash`, and after `diff`/`new`). A file
 * the current sum records as just created by `migrator new` keeps that record (its edits are the
 * point of the file), unless `recordDrafts`: `hash` and `repair` record every file as it is.
 */
export async function writeSum(dir: string, options: { readonly recordDrafts?: boolean } = {}): Promise<Sum> {
  const onDisk = await computeSum(dir)
  const recorded = options.recordDrafts === true ? new Map<string, string>() : await recordedHashes(dir)
  const files = onDisk.files.map((f) => {
    const before = recorded.get(f.name)
    return before !== undefined && isDraftHash(f.name, before) ? { name: f.name, hash: before } : f
  })
  const sum = { total: totalOf(files), files }
  await writeFile(path.join(dir, SUM_FILE), formatSum(sum), 'utf8')
  return sum
}

/** The hashes the current migrator.sum records; none when it is missing or damaged. */
async function recordedHashes(dir: string): Promise<Map<string, string>> {
  try {
    return new Map(parseSum(await readFile(path.join(dir, SUM_FILE), 'utf8')).files.map((f) => [f.name, f.hash]))
  } catch {
    return new Map()
  }
}

/** Whether `hash` is what `migrator new` wrote into `name`. */
function isDraftHash(name: string, hash: string): boolean {
  const text = draftText(name)
  return text !== undefined && checksumOf(text) === hash
}

/**
 * Checks `<dir>/migrator.sum` against the files on disk. Throws SumMismatchError naming the files
 * added, removed or changed since the last `migrator hash` (a hand edit, or two branches that both
 * added migrations), or saying the sum file is missing or damaged. A file still recorded as
 * `migrator new` created it may have been edited: it is listed in `drafts`, not a mismatch. A
 * directory without migrations and without a sum file is fine. Returns the sum of the files on disk.
 * `onDisk`: that sum, when the caller has just read and hashed every migration file (readDirectory),
 * so the directory is neither listed nor read again.
 */
export async function verifySum(dir: string, onDisk?: Sum): Promise<Sum> {
  const actual = onDisk ?? (await computeSum(dir))
  const sumPath = path.join(dir, SUM_FILE)
  let text: string
  try {
    text = await readFile(sumPath, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new SumMismatchError(`cannot read ${sumPath} (${(error as Error).message}); check its permissions`)
    }
    if (actual.files.length === 0) return actual
    throw new SumMismatchError(`${sumPath} is missing but ${dir} holds migrations; review them and run \`migrator hash\` to create it`)
  }
  // What `hash` writes for these very files: nothing to compare line by line (the usual case).
  if (text.replace(/\r\n/g, '\n') === formatSum(actual)) return actual
  const recorded = parseSum(text, sumPath)
  const known = new Map(recorded.files.map((f) => [f.name, f.hash]))
  const present = new Set(actual.files.map((f) => f.name))
  const added = actual.files.filter((f) => !known.has(f.name)).map((f) => f.name)
  const removed = recorded.files.filter((f) => !present.has(f.name)).map((f) => f.name)
  const edited = actual.files.filter((f) => known.has(f.name) && known.get(f.name) !== f.hash)
  const drafts = edited.filter((f) => isDraftHash(f.name, known.get(f.name)!)).map((f) => f.name)
  const changed = edited.map((f) => f.name).filter((name) => !drafts.includes(name))
  if (added.length + removed.length + changed.length > 0) {
    const parts = [
      added.length > 0 ? `added ${added.join(', ')}` : '',
      removed.length > 0 ? `removed ${removed.join(', ')}` : '',
      changed.length > 0 ? `changed ${changed.join(', ')}` : '',
    ].filter((p) => p !== '')
    // One next step, the same one `up` gives for an edited applied file: repair records edits in
    // migrator.sum and, for migrations already applied, in history.
    const next =
      changed.length > 0
        ? `restore ${changed.length === 1 ? 'the changed file' : 'the changed files'}, or run \`migrator repair\` if the edit${changed.length === 1 ? ' is' : 's are'} intentional`
        : 'review them and run `migrator hash`'
    throw new SumMismatchError(`${sumPath} does not match the migration files (${parts.join('; ')}); ${next}`, { added, removed, changed })
  }
  if (recorded.total !== totalOf(recorded.files)) {
    throw new SumMismatchError(`${sumPath}: the total hash does not match its file lines (edited by hand?); review the migrations and run \`migrator hash\``)
  }
  return drafts.length === 0 ? actual : { ...actual, drafts }
}

/** Parses `migrator.sum` text; tolerates CRLF line ends (git autocrlf). */
export function parseSum(text: string, sumPath: string = SUM_FILE): Sum {
  const lines = text.replace(/\r\n/g, '\n').split('\n').filter((l) => l.trim() !== '')
  const damaged = (line: number): SumMismatchError =>
    new SumMismatchError(`${sumPath}:${line} is malformed (expected "<file name> <sha256>"); review the migrations and run \`migrator hash\``)
  const head = /^sha256 ([0-9a-f]{64})$/.exec(lines[0]?.trim() ?? '')
  if (head === null) throw damaged(1)
  const files = lines.slice(1).map((line, i) => {
    const match = /^(\S+) ([0-9a-f]{64})$/.exec(line.trim())
    if (match === null) throw damaged(i + 2)
    return { name: match[1] ?? '', hash: match[2] ?? '' }
  })
  return { total: head[1] ?? '', files }
}

function fileLines(files: Sum['files']): string[] {
  return files.map((f) => `${f.name} ${f.hash}`)
}

function totalOf(files: Sum['files']): string {
  return createHash('sha256').update(fileLines(files).join('\n'), 'utf8').digest('hex')
}
