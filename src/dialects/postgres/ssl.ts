import { readFileSync } from 'node:fs'
import type { ConnectionOptions } from 'node:tls'
import { ConnectionError } from '../../errors.js'

/** libpq's TLS parameters: mapped here, so pg never interprets them (nor warns about them on stderr). */
const TLS_PARAMS = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'uselibpqcompat'] as const

/** What pg's Client/knex take: the URL without the TLS parameters, and `ssl` spelled out. */
export interface PgClientConfig {
  readonly connectionString: string
  readonly ssl?: boolean | ConnectionOptions
  /** sslmode=prefer/allow: how to connect when the server refuses the first way (see `refusedTls`). */
  readonly fallback?: PgClientConfig
}

/**
 * pg's connection settings for a postgres:// URL, with libpq's `sslmode` semantics (what psql,
 * pg_dump and every libpq tool do with the same URL) mapped to pg's `ssl` option explicitly:
 *
 * - `disable`: no TLS. `allow`: plain, then TLS if the server insists. `prefer`: TLS, then plain if
 *   the server has none.
 * - `require`: TLS, certificate not verified; with `sslrootcert`, verified against it (like verify-ca).
 * - `verify-ca`: TLS, certificate verified against `sslrootcert` (required), host name not checked.
 * - `verify-full`: TLS, certificate and host name verified (against `sslrootcert`, else the system CAs).
 *
 * `sslcert`/`sslkey` name a client certificate. A URL without `sslmode` goes to pg unchanged.
 * Throws ConnectionError for an unknown mode or an unreadable certificate file.
 */
export function pgClientConfig(raw: string, redacted: string = raw): PgClientConfig {
  const url = new URL(raw)
  const param = (name: (typeof TLS_PARAMS)[number]) => url.searchParams.get(name) ?? undefined
  const mode = param('sslmode')
  if (mode === undefined) return { connectionString: raw }
  const read = (name: 'sslrootcert' | 'sslcert' | 'sslkey'): string | undefined => {
    const file = param(name)
    if (file === undefined) return undefined
    try {
      return readFileSync(file, 'utf8')
    } catch (error) {
      throw new ConnectionError(`cannot connect to ${redacted}: ${name}=${file} cannot be read (${(error as Error).message}); fix the path in the URL`, { cause: error })
    }
  }
  const ca = read('sslrootcert')
  const client = { ...optional('cert', read('sslcert')), ...optional('key', read('sslkey')) }
  for (const name of TLS_PARAMS) url.searchParams.delete(name)
  const connectionString = url.toString()
  const unverified: ConnectionOptions = { ...client, rejectUnauthorized: false }
  // Certificate checked against the CA, host name not (libpq verify-ca).
  const caOnly: ConnectionOptions = { ...client, ca, checkServerIdentity: () => undefined }
  switch (mode) {
    case 'disable':
      return { connectionString, ssl: false }
    case 'allow':
      return { connectionString, ssl: false, fallback: { connectionString, ssl: unverified } }
    case 'prefer':
      return { connectionString, ssl: unverified, fallback: { connectionString, ssl: false } }
    case 'require':
      return { connectionString, ssl: ca === undefined ? unverified : caOnly }
    case 'verify-ca':
      if (ca === undefined) {
        throw new ConnectionError(`cannot connect to ${redacted}: sslmode=verify-ca needs sslrootcert=<CA file> to verify against; add it, or use sslmode=verify-full`)
      }
      return { connectionString, ssl: caOnly }
    case 'verify-full':
      return { connectionString, ssl: { ...client, ...optional('ca', ca) } }
    // pg's own spelling of "TLS without verification".
    case 'no-verify':
      return { connectionString, ssl: unverified }
    default:
      throw new ConnectionError(`cannot connect to ${redacted}: sslmode=${mode} is not a mode; use disable, allow, prefer, require, verify-ca or verify-full`)
  }
}

/**
 * Whether a connect failure means the server refused this way of connecting (TLS to a server
 * without it, or plain where pg_hba.conf demands TLS), so sslmode=prefer/allow try the other way.
 */
export function refusedTls(error: unknown): boolean {
  const err = error as { code?: unknown; message?: unknown } | null
  const message = String(err?.message ?? '')
  return /does not support SSL/i.test(message) || (err?.code === '28000' && /SSL off|no encryption/i.test(message))
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>)
}
