import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { pgClientConfig } from '../../../src/dialects/postgres/ssl.js'

const dir = mkdtempSync(path.join(os.tmpdir(), 'migrator-ssl-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const ca = path.join(dir, 'root.crt')
writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n')
const base = 'postgres://app:pw@db.example:5432/app?application_name=m'

describe('pgClientConfig: libpq sslmode mapped to pg ssl options', () => {
  it('leaves a URL without sslmode to pg as it is', () => {
    expect(pgClientConfig(base)).toEqual({ connectionString: base })
  })

  it('takes the TLS parameters out of the connection string and keeps the rest', () => {
    const config = pgClientConfig(`${base}&sslmode=require&sslrootcert=${encodeURIComponent(ca)}&uselibpqcompat=true`)
    expect(config.connectionString).toBe(base)
  })

  it('maps every mode', () => {
    const mode = (m: string, extra = '') => pgClientConfig(`${base}&sslmode=${m}${extra}`)
    expect(mode('disable')).toMatchObject({ ssl: false })
    expect(mode('require')).toMatchObject({ ssl: { rejectUnauthorized: false } })
    expect(mode('prefer')).toMatchObject({ ssl: { rejectUnauthorized: false }, fallback: { ssl: false } })
    expect(mode('allow')).toMatchObject({ ssl: false, fallback: { ssl: { rejectUnauthorized: false } } })
    expect(mode('verify-full').ssl).toEqual({})
    expect(mode('verify-full', `&sslrootcert=${ca}`).ssl).toEqual({ ca: expect.stringContaining('BEGIN CERTIFICATE') })
    // require with a CA verifies the certificate (not the host name), as libpq does.
    const requireCa = mode('require', `&sslrootcert=${ca}`).ssl as { ca?: string; rejectUnauthorized?: boolean; checkServerIdentity?: () => undefined }
    expect(requireCa.ca).toContain('BEGIN CERTIFICATE')
    expect(requireCa.rejectUnauthorized).toBeUndefined()
    expect(requireCa.checkServerIdentity?.()).toBeUndefined()
    expect(mode('verify-ca', `&sslrootcert=${ca}`).ssl).toMatchObject({ ca: expect.stringContaining('BEGIN CERTIFICATE') })
  })

  it('refuses verify-ca without a CA, an unknown mode and an unreadable file, naming no password', () => {
    expect(() => pgClientConfig(`${base}&sslmode=verify-ca`, 'postgres://app:***@db.example:5432/app')).toThrow(/sslmode=verify-ca needs sslrootcert/)
    expect(() => pgClientConfig(`${base}&sslmode=on`, 'postgres://app:***@db.example:5432/app')).toThrow(/sslmode=on is not a mode/)
    expect(() => pgClientConfig(`${base}&sslmode=require&sslcert=/nope/client.crt`, 'postgres://app:***@db.example:5432/app')).toThrow(
      /^cannot connect to postgres:\/\/app:\*\*\*@db\.example:5432\/app: sslcert=\/nope\/client\.crt cannot be read/,
    )
  })
})
