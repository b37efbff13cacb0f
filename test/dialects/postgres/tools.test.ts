import { describe, expect, it } from 'vitest'
import { parseUrl } from '../../../src/config/url.js'
import { exitError } from '../../../src/dialects/postgres/tools.js'

const url = parseUrl('postgres://app:s3cret@db.example:5432/shop')

describe('client tool errors are one line', () => {
  it('a pg_dump older than the server: its lines joined, the password never shown, and what to install', () => {
    const stderr = 'pg_dump: error: aborting because of server version mismatch\npg_dump: detail: server version: 17.2; pg_dump version: 15.10 (password s3cret)\n'
    const error = exitError('pg_dump', 1, stderr, 'backup', url)
    expect(error.message).toBe(
      'pg_dump failed (exit 1): pg_dump: error: aborting because of server version mismatch; pg_dump: detail: server version: 17.2; pg_dump version: 15.10 (password ***); ' +
        'install the PostgreSQL 17 client tools (Debian/Ubuntu postgresql-client-17) and put them first on PATH',
    )
  })

  it('any other failure: the lines joined, no advice', () => {
    expect(exitError('pg_restore', 1, 'pg_restore: error: could not open input file\n\n', 'restore', url).message).toBe('pg_restore failed (exit 1): pg_restore: error: could not open input file')
    expect(exitError('pg_dump', null, '', 'backup', url).message).toBe('pg_dump failed (exit killed): no message')
  })
})
