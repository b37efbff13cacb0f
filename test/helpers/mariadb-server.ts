import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { parseUrl, type DatabaseUrl } from '../../src/config/url.js'
import { dialect } from '../../src/dialects/mysql/index.js'

/**
 * A throwaway MariaDB server for settings the shared test server cannot change at run time
 * (`lower_case_table_names`): a fresh data directory in a temp dir, loopback only, root without a
 * password, stopped and removed by stop() (and killed when the test process exits).
 */
export interface ThrowawayMariadb {
  readonly url: DatabaseUrl
  /** `@@lower_case_table_names` as the server reports it: Linux servers turn 2 into 0. */
  readonly lowerCaseTableNames: number
  stop(): Promise<void>
}

const START_TIMEOUT_MS = 60_000

/** The mariadbd binary, or undefined when MariaDB's server is not installed here. */
export function mariadbdBinary(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin']
  return dirs.map((dir) => path.join(dir, 'mariadbd')).find((file) => existsSync(file))
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo
      probe.close(() => resolve(port))
    })
  })
}

/** Starts a server with the given `lower_case_table_names`; throws with the server log when it does not come up. */
export async function startMariadb(lowerCaseTableNames: 0 | 1 | 2): Promise<ThrowawayMariadb> {
  const binary = mariadbdBinary()
  if (binary === undefined) throw new Error('mariadbd is not installed')
  const dir = mkdtempSync(path.join(os.tmpdir(), 'migrator-mariadb-'))
  const data = path.join(dir, 'data')
  const log = path.join(dir, 'error.log')
  const setting = `--lower-case-table-names=${lowerCaseTableNames}`
  // As the current user (--user names it, which mariadbd requires when that is root).
  const user = os.userInfo().username
  const install = spawnSync('mariadb-install-db', ['--no-defaults', `--datadir=${data}`, '--auth-root-authentication-method=normal', `--user=${user}`, '--skip-test-db', setting], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${process.env.PATH ?? ''}${path.delimiter}${path.dirname(binary)}` },
  })
  if (install.status !== 0) {
    rmSync(dir, { recursive: true, force: true })
    throw new Error(`mariadb-install-db failed: ${install.error?.message ?? install.stderr}`)
  }
  const port = await freePort()
  const server: ChildProcess = spawn(binary, [
    '--no-defaults', `--datadir=${data}`, `--socket=${path.join(dir, 'sock')}`, `--port=${port}`, '--bind-address=127.0.0.1',
    `--user=${user}`, setting, `--log-error=${log}`, '--innodb-buffer-pool-size=16M', '--performance-schema=OFF', '--skip-log-bin',
  ], { stdio: 'ignore' })
  const killOnExit = (): void => void server.kill('SIGKILL')
  process.once('exit', killOnExit)
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()))
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit)
    if (server.exitCode === null && server.signalCode === null) {
      server.kill('SIGTERM')
      const timer = setTimeout(() => server.kill('SIGKILL'), 30_000)
      await exited
      clearTimeout(timer)
    }
    rmSync(dir, { recursive: true, force: true })
  }

  const url = parseUrl(`mysql://root@127.0.0.1:${port}/mysql`)
  const deadline = Date.now() + START_TIMEOUT_MS
  for (;;) {
    try {
      const driver = await dialect.open(url)
      try {
        const [row] = await driver.db.query<{ v: unknown }>('SELECT @@lower_case_table_names AS v')
        return { url, lowerCaseTableNames: Number(row?.v), stop }
      } finally {
        await driver.close()
      }
    } catch (error) {
      if (server.exitCode !== null || Date.now() > deadline) {
        const tail = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').slice(-10).join('\n') : '(no log)'
        await stop()
        throw new Error(`mariadbd did not start on port ${port}: ${error instanceof Error ? error.message : String(error)}\n${tail}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }
}
