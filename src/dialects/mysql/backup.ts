import { spawn } from 'node:child_process'
import { createReadStream } from 'node:fs'
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { DatabaseUrl } from '../../config/url.js'
import { redactSecrets } from '../../config/url.js'
import { MigratorError } from '../../errors.js'
import type { Flavor } from './flavor.js'

/**
 * `mysqldump --single-transaction --routines --triggers` of the URL's database to `dest` (a
 * consistent InnoDB snapshot without locking writers). The password reaches the tool in a
 * private option file (`--defaults-extra-file`, mode 0600, deleted after), never on its command
 * line or in the environment. MariaDB servers prefer `mariadb-dump`, MySQL servers `mysqldump`;
 * either works when only the other is installed.
 */
export async function backupMysql(url: DatabaseUrl, flavor: Flavor, dest: string): Promise<void> {
  const tools = flavor.mariadb ? ['mariadb-dump', 'mysqldump'] : ['mysqldump', 'mariadb-dump']
  const args = [
    '--single-transaction',
    '--routines',
    '--triggers',
    '--events',
    '--hex-blob',
    '--no-tablespaces',
    '--default-character-set=utf8mb4',
    `--result-file=${dest}`,
  ]
  await withOptionFile(url, (optionFile) => runFirst(tools, (tool) => [`--defaults-extra-file=${optionFile}`, ...connectionArgs(url), ...gtidArgs(tool, flavor), ...args, '--', url.database ?? ''], undefined, 'backup', url))
}

/**
 * Restores a `backup` dump by feeding it to the `mariadb`/`mysql` client: every table in the
 * dump is dropped and recreated with its rows, views, routines and triggers likewise. Objects
 * created after the backup and absent from it are left in place. MySQL DDL is not transactional:
 * a failure midway leaves the database partly restored (the client stops at the first error).
 */
export async function restoreMysql(url: DatabaseUrl, flavor: Flavor, file: string): Promise<void> {
  await assertDump(file)
  const tools = flavor.mariadb ? ['mariadb', 'mysql'] : ['mysql', 'mariadb']
  await withOptionFile(url, (optionFile) =>
    runFirst(tools, () => [`--defaults-extra-file=${optionFile}`, ...connectionArgs(url), '--default-character-set=utf8mb4', '--batch', '--', url.database ?? ''], file, 'restore', url),
  )
}

/** A dump written by mysqldump/mariadb-dump starts with its banner comment. */
async function assertDump(file: string): Promise<void> {
  const handle = await open(file, 'r')
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(200), 0, 200, 0)
    const head = buffer.subarray(0, bytesRead).toString('utf8')
    if (!/^(\/\*[^\n]*\*\/\s*)?-- (MySQL|MariaDB) dump/.test(head)) {
      throw new MigratorError('restore', `${file} is not a mysqldump/mariadb-dump file written by \`migrator backup\`; nothing was restored`)
    }
  } finally {
    await handle.close()
  }
}

function connectionArgs(url: DatabaseUrl): string[] {
  const args = [`--host=${url.host ?? '127.0.0.1'}`, `--port=${url.port ?? 3306}`, `--user=${url.user ?? 'root'}`]
  // TCP even for localhost: the client would otherwise look for a socket file the server may not use.
  args.push('--protocol=TCP')
  return args
}

/** MySQL's mysqldump writes SET @@GLOBAL.GTID_PURGED by default, which a restore cannot replay on a server with GTIDs of its own. */
function gtidArgs(tool: string, flavor: Flavor): string[] {
  return tool === 'mysqldump' && !flavor.mariadb ? ['--set-gtid-purged=OFF'] : []
}

/** Writes the password into a private option file for the duration of `fn`. */
async function withOptionFile<T>(url: DatabaseUrl, fn: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'migrator-mysql-'))
  const file = path.join(dir, 'client.cnf')
  try {
    const password = (url.password ?? '').replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
    await writeFile(file, `[client]\npassword="${password}"\n`, { mode: 0o600 })
    return await fn(file)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** Runs the first of `tools` that exists on PATH; all missing is the "install the client" error. */
async function runFirst(tools: readonly string[], args: (tool: string) => string[], stdin: string | undefined, code: 'backup' | 'restore', url: DatabaseUrl): Promise<void> {
  for (const tool of tools) {
    const started = await runTool(tool, args(tool), stdin, code, url)
    if (started) return
  }
  throw new MigratorError(
    code,
    `${tools[0]} not found on PATH (nor ${tools.slice(1).join(', ')}): install the MySQL/MariaDB client tools (Debian/Ubuntu mariadb-client or mysql-client); nothing was run`,
  )
}

/** Runs one tool to completion. Resolves false when it does not exist; throws when it fails. */
function runTool(tool: string, args: readonly string[], stdin: string | undefined, code: 'backup' | 'restore', url: DatabaseUrl): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { stdio: [stdin === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000)
    })
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') resolve(false)
      else reject(new MigratorError(code, `${tool} could not start: ${error.message}; nothing was run`, { cause: error }))
    })
    if (stdin !== undefined && child.stdin !== null) {
      const input = createReadStream(stdin)
      input.on('error', (error) => child.kill() && reject(new MigratorError(code, `cannot read ${stdin}: ${error.message}`, { cause: error })))
      // The client exiting early (an SQL error) closes its stdin; the exit status reports it.
      child.stdin.on('error', () => undefined)
      input.pipe(child.stdin)
    }
    child.on('close', (status) => {
      if (status === 0) resolve(true)
      else if (status !== null) reject(new MigratorError(code, `${tool} failed (exit ${status}): ${redactSecrets(stderr.trim(), url) || 'no message'}`))
    })
  })
}
