import path from 'node:path'
import { UrlError } from '../errors.js'
import type { DialectName } from '../dialects/dialect.js'

/** A parsed database URL. `raw` keeps the password: never print it, print `redacted`. */
export interface DatabaseUrl {
  readonly dialect: DialectName
  readonly raw: string
  readonly redacted: string
  /** SQLite: absolute file path or `:memory:`. */
  readonly file?: string
  readonly host?: string
  readonly port?: number
  readonly user?: string
  readonly password?: string
  readonly database?: string
  /** Query parameters (`sslmode`, `schema`, …). */
  readonly params: Readonly<Record<string, string>>
  /** MySQL URLs written as `mariadb://`. */
  readonly flavorHint?: 'mariadb'
}

const SCHEMES: Readonly<Record<string, DialectName>> = {
  postgres: 'postgres',
  postgresql: 'postgres',
  mysql: 'mysql',
  mariadb: 'mysql',
  sqlite: 'sqlite',
  sqlite3: 'sqlite',
  file: 'sqlite',
}

/**
 * Parses `postgres://…`, `mysql://…`, `mariadb://…`, `sqlite:./rel.db`, `sqlite:///abs.db`,
 * `sqlite::memory:`. Relative SQLite paths resolve against `cwd`.
 */
export function parseUrl(input: string, cwd: string = process.cwd()): DatabaseUrl {
  const text = input.trim()
  const match = /^([a-z][a-z0-9+.-]*):/i.exec(text)
  const scheme = match?.[1]?.toLowerCase()
  const dialect = scheme === undefined ? undefined : SCHEMES[scheme]
  if (scheme === undefined || dialect === undefined) {
    throw new UrlError(
      `unsupported database URL "${redactUrl(text)}": expected postgres://, mysql://, mariadb:// or sqlite:<path>`,
    )
  }
  if (dialect === 'sqlite') return parseSqlite(text, scheme, cwd)

  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new UrlError(`malformed database URL "${redactUrl(text)}": expected ${scheme}://user:password@host:port/database`)
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''))
  if (url.hostname === '' && url.searchParams.get('host') === null) {
    throw new UrlError(`database URL "${redactUrl(text)}" has no host: expected ${scheme}://user:password@host:port/database`)
  }
  if (database === '' || database.includes('/')) {
    throw new UrlError(`database URL "${redactUrl(text)}" must name one database: ${scheme}://user:password@host:port/database`)
  }
  const port = url.port === '' ? undefined : Number(url.port)
  const params: Record<string, string> = {}
  for (const [key, value] of url.searchParams) params[key] = value
  return {
    dialect,
    raw: text,
    redacted: redactUrl(text),
    host: url.hostname.replace(/^\[|\]$/g, '') || params.host,
    port,
    user: url.username === '' ? undefined : decodeURIComponent(url.username),
    password: url.password === '' ? undefined : decodeURIComponent(url.password),
    database,
    params,
    flavorHint: scheme === 'mariadb' ? 'mariadb' : undefined,
  }
}

function parseSqlite(text: string, scheme: string, cwd: string): DatabaseUrl {
  let rest = text.slice(scheme.length + 1)
  const queryAt = rest.indexOf('?')
  const params: Record<string, string> = {}
  if (queryAt >= 0) {
    for (const [key, value] of new URLSearchParams(rest.slice(queryAt + 1))) params[key] = value
    rest = rest.slice(0, queryAt)
  }
  let file: string
  if (rest === ':memory:' || rest === '//:memory:') file = ':memory:'
  else if (rest.startsWith('///')) file = rest.slice(2)
  else if (rest.startsWith('//')) file = path.resolve(cwd, rest.slice(2))
  else file = path.resolve(cwd, rest)
  if (rest === '' || rest === '//' || rest === '///') {
    throw new UrlError(`SQLite URL "${text}" names no file: expected sqlite:./app.db, sqlite:///abs/app.db or sqlite::memory:`)
  }
  return { dialect: 'sqlite', raw: text, redacted: text, file: decodeURIComponent(file), params }
}

/** Replaces the password of any URL-looking substring with `***`. Safe on arbitrary text. */
export function redactUrl(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):([^@\s]*)@/gi, '$1:***@')
}

/** Redacts every password of `url` found in `text` (also when it appears outside a URL). */
export function redactSecrets(text: string, url?: DatabaseUrl): string {
  let out = redactUrl(text)
  const password = url?.password
  if (password !== undefined && password.length > 0) {
    out = out.split(password).join('***')
    const encoded = encodeURIComponent(password)
    if (encoded !== password) out = out.split(encoded).join('***')
  }
  return out
}
