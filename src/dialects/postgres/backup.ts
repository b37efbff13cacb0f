import { spawn } from 'node:child_process'
import type { DatabaseUrl } from '../../config/url.js'
import { redactSecrets } from '../../config/url.js'
import { MigratorError } from '../../errors.js'

/**
 * `pg_dump -Fc` of the whole database to `dest`. Connection facts go to pg_dump through the
 * libpq environment (PGHOST, PGPASSWORD, …), never its command line, where `ps` would show the
 * password. Throws a MigratorError when pg_dump is not on PATH or fails.
 */
export async function backupPostgres(url: DatabaseUrl, dest: string): Promise<void> {
  await runTool('pg_dump', ['--format=custom', '--no-password', `--file=${dest}`], libpqEnv(url), 'backup', url)
}

/**
 * Restores a `backup` archive into the database with `pg_restore --clean --if-exists` in one
 * transaction: every object in the archive is dropped and recreated with its rows, or, when any
 * statement fails, nothing changes. Objects created after the backup and absent from it are left
 * in place.
 */
export async function restorePostgres(url: DatabaseUrl, file: string): Promise<void> {
  const env = libpqEnv(url)
  try {
    // Reading the table of contents proves it is a pg_dump archive before anything is dropped.
    await runTool('pg_restore', ['--list', file], env, 'restore', url)
  } catch (error) {
    if (error instanceof MigratorError && /not found on PATH/.test(error.message)) throw error
    throw new MigratorError('restore', `${file} is not a pg_dump archive written by \`migrator backup\`: ${(error as Error).message}`, { cause: error })
  }
  await runTool('pg_restore', ['--clean', '--if-exists', '--single-transaction', '--exit-on-error', '--no-password', `--dbname=${url.database ?? ''}`, file], env, 'restore', url)
}

/** libpq environment variables for `url` on top of ours (so PATH and locale stay). */
function libpqEnv(url: DatabaseUrl): NodeJS.ProcessEnv {
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

/** Runs a client tool to completion; a missing tool or a non-zero exit is a MigratorError naming it. */
function runTool(tool: string, args: readonly string[], env: NodeJS.ProcessEnv, code: 'backup' | 'restore', url: DatabaseUrl): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { env, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000)
    })
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        reject(
          new MigratorError(
            code,
            `${tool} not found on PATH: install the PostgreSQL client tools (Debian/Ubuntu postgresql-client, macOS libpq) in a version at least the server's; nothing was run`,
            { cause: error },
          ),
        )
      } else reject(new MigratorError(code, `${tool} could not start: ${error.message}; nothing was run`, { cause: error }))
    })
    child.on('close', (status) => {
      if (status === 0) resolve()
      else reject(new MigratorError(code, `${tool} failed (exit ${status}): ${redactSecrets(stderr.trim(), url) || 'no message'}`))
    })
  })
}
