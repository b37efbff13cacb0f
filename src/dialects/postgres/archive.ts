import { Transform, type TransformCallback } from 'node:stream'
import { quoteIdent } from './quote.js'

/** What `pg_restore --list` says an archive holds, by the OIDs the objects had when dumped. */
export interface ArchiveListing {
  /** Tables (ordinary and partitioned) with a TABLE entry. */
  readonly tables: ReadonlySet<number>
  /** Tables with a TABLE DATA entry (their rows are in the archive). */
  readonly data: ReadonlySet<number>
}

/** Parses `pg_restore --list` output (`215; 1259 89459 TABLE public m postgres`). Pure. */
export function parseListing(text: string): ArchiveListing {
  const tables = new Set<number>()
  const data = new Set<number>()
  for (const line of text.split('\n')) {
    const match = /^\d+; \d+ (\d+) (.*)$/.exec(line)
    if (match === null) continue
    const oid = Number(match[1])
    const rest = match[2] ?? ''
    if (rest.startsWith('TABLE DATA ')) data.add(oid)
    else if (rest.startsWith('TABLE ') && !rest.startsWith('TABLE ATTACH ')) tables.add(oid)
  }
  return { tables, data }
}

/**
 * Passes a plain-SQL restore script (`pg_restore --file=-`) through unchanged and counts the rows
 * of each `COPY <table> … FROM stdin;` block, one line per row up to `\.`; `counts` maps the
 * table, re-quoted with quoteIdent, to its rows.
 */
export class CopyRowCounter extends Transform {
  readonly counts = new Map<string, number>()
  private table: string | undefined
  private partial = ''

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const lines = (this.partial + chunk.toString('latin1')).split('\n')
    this.partial = lines.pop() ?? ''
    for (const line of lines) this.line(line)
    callback(null, chunk)
  }

  override _flush(callback: TransformCallback): void {
    if (this.partial !== '') this.line(this.partial)
    callback()
  }

  private line(line: string): void {
    if (this.table !== undefined) {
      if (line === '\\.') this.table = undefined
      else this.counts.set(this.table, (this.counts.get(this.table) ?? 0) + 1)
      return
    }
    if (!line.startsWith('COPY ') || !line.endsWith(' FROM stdin;')) return
    // latin1 keeps bytes as they are; names are UTF-8, so decode them back.
    const name = copyTarget(Buffer.from(line, 'latin1').toString('utf8'))
    if (name !== undefined) {
      this.table = name
      this.counts.set(name, this.counts.get(name) ?? 0)
    }
  }
}

/** The table of a `COPY schema.table (cols) FROM stdin;` line, re-quoted; undefined when unreadable. */
export function copyTarget(line: string): string | undefined {
  const parts: string[] = []
  let i = 'COPY '.length
  for (;;) {
    if (line[i] === '"') {
      let name = ''
      for (i++; i < line.length; i++) {
        if (line[i] === '"' && line[i + 1] === '"') {
          name += '"'
          i++
        } else if (line[i] === '"') break
        else name += line[i]
      }
      if (line[i] !== '"') return undefined
      parts.push(name)
      i++
    } else {
      const bare = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(line.slice(i))
      if (bare === null) return undefined
      parts.push(bare[0])
      i += bare[0].length
    }
    if (line[i] !== '.') break
    i++
  }
  return line[i] === ' ' && parts.length <= 2 ? parts.map(quoteIdent).join('.') : undefined
}

/**
 * A schema-only dump (`pg_dump --schema-only`, `pg_restore --schema-only --file=-`) without what
 * differs between two dumps of the same schema: comments, blank lines and psql's per-run
 * `\restrict` keys. Pure.
 */
export function schemaText(dump: string): string {
  return dump
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('--') && !line.startsWith('\\restrict ') && !line.startsWith('\\unrestrict '))
    .join('\n')
}
