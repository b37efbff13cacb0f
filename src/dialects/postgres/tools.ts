import { spawn } from 'node:child_process'
import type { DatabaseUrl } from '../../config/url.js'
import { redactSecrets } from '../../config/url.js'
import { MigratorError } from '../../errors.js'

/**
 * libpq environment variables for `url` on top of ours (so PATH and locale stay). Connection facts
 * reach the client tools this way, never on their command line, where `ps` would show the password.
 */
export function libpqEnv(url: DatabaseUrl): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env }
  const set = (key: string, value: string | number | undefined) => {
    if (value === undefined || value === '') delete env[key]
    else env[key] = String(value)
  }
  set('PGHOST', url.params.host ?? url.host)
  set('PGPORT', url.params.port ?? url.port)
  set('PGUSER', url.user)
  set('PGPASSWORD', url.password)
  set('PGDATABASE', url.database)
  set('PGSSLMODE', url.params.sslmode)
  set('PGSSLROOTCERT', url.params.sslrootcert)
  set('PGSSLCERT', url.params.sslcert)
  set('PGSSLKEY', url.params.sslkey)
  set('PGAPPNAME', 'migrator')
  return env
}

/** The MigratorError for a client tool that could not start (missing on PATH: what to install). */
export function startError(tool: string, error: NodeJS.ErrnoException, code: 'backup' | 'restore'): MigratorError {
  if (error.code === 'ENOENT') {
    return new MigratorError(
      code,
      `${tool} not found on PATH: install the PostgreSQL client tools (pg_dump, pg_restore, psql; Debian/Ubuntu postgresql-client, macOS libpq) in a version at least the server's; nothing was run`,
      { cause: error },
    )
  }
  return new MigratorError(code, `${tool} could not start: ${error.message}; nothing was run`, { cause: error })
}

/** The MigratorError for a client tool that exited non-zero, with the end of its stderr (no password). */
export function exitError(tool: string, status: number | null, stderr: string, code: 'backup' | 'restore', url: DatabaseUrl): MigratorError {
  // One line: the tool's own lines joined, and for a client older than the server, what to install.
  const message = redactSecrets(stderr.trim(), url).split(/\r?\n/).map((line) => line.trim()).filter(Boolean).join('; ')
  const mismatch = /server version: (\d+)[^;]*; \S+ version: (\d+)/.exec(message)
  const advice =
    mismatch === null || /version mismatch/.test(message) === false
      ? ''
      : `; install the PostgreSQL ${mismatch[1]} client tools (Debian/Ubuntu postgresql-client-${mismatch[1]}) and put them first on PATH`
  return new MigratorError(code, `${tool} failed (exit ${status ?? 'killed'}): ${message || 'no message'}${advice}`)
}

/**
 * Runs a client tool to completion and returns its standard output; a missing tool or a non-zero
 * exit is a MigratorError naming it.
 */
export function runTool(tool: string, args: readonly string[], env: NodeJS.ProcessEnv, code: 'backup' | 'restore', url: DatabaseUrl): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000)
    })
    child.on('error', (error: NodeJS.ErrnoException) => reject(startError(tool, error, code)))
    child.on('close', (status) => {
      if (status === 0) resolve(Buffer.concat(out).toString('utf8'))
      else reject(exitError(tool, status, stderr, code, url))
    })
  })
}
