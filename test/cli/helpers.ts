import { spawn } from 'node:child_process'
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root; the CLI under test is its built `bin/migrator` (run `npm run build` first). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const BIN = path.join(ROOT, 'bin', 'migrator')

export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs `node bin/migrator ...args` in `cwd` and collects its output. The environment is the test's
 * own minus DATABASE_URL and color variables (so results do not depend on the developer's shell),
 * plus `env`.
 */
export function runCli(
  args: readonly string[],
  options: { cwd: string; env?: Readonly<Record<string, string | undefined>>; input?: string },
): Promise<CliResult> {
  if (!existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) {
    throw new Error('dist/cli/main.js is missing: run `npm run build` before the CLI tests')
  }
  const env: Record<string, string | undefined> = { ...process.env }
  for (const key of ['DATABASE_URL', 'NO_COLOR', 'FORCE_COLOR']) delete env[key]
  Object.assign(env, options.env)
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
    child.stdin.end(options.input ?? '')
  })
}

/**
 * Runs the built CLI on a pseudo-terminal (util-linux `script`), so it sees a TTY and may ask; when
 * a line ending in `[y/N]` appears, `answer` (if given) is typed. `columns` sets the terminal's
 * reported width first (`stty cols`; 0 is a terminal that reports no width); `env` is added to the
 * environment. Returns the exit code and the terminal text (stdout and stderr interleaved, as a user
 * sees them).
 */
export function runInTerminal(
  args: readonly string[],
  options: { cwd: string; answer?: string; columns?: number; env?: Readonly<Record<string, string | undefined>> },
): Promise<{ code: number; screen: string }> {
  const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`
  const cli = [process.execPath, BIN, ...args].map(quote).join(' ')
  const command = options.columns === undefined ? cli : `stty cols ${options.columns} rows 24 && exec ${cli}`
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env }
    delete env.DATABASE_URL
    Object.assign(env, options.env)
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'], env })
    let screen = ''
    let answered = false
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      screen += chunk
      if (!answered && options.answer !== undefined && /\[y\/N\]/.test(screen)) {
        answered = true
        child.stdin.write(`${options.answer}\r`)
      }
    })
    // A CLI that never asks (or never exits) must fail the test, not hang it.
    const timer = setTimeout(() => child.kill(), 40_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code: code ?? -1, screen })
    })
  })
}

/** A throw-away project directory under os.tmpdir(). */
export interface TempProject {
  readonly dir: string
  /** Writes `relative` (creating parent directories). */
  write(relative: string, text: string): string
  read(relative: string): string
  exists(relative: string): boolean
  run(args: readonly string[], env?: Readonly<Record<string, string | undefined>>): Promise<CliResult>
  remove(): void
}

export function tempProject(files: Readonly<Record<string, string>> = {}): TempProject {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'migrator-cli-'))
  const project: TempProject = {
    dir,
    write(relative, text) {
      const file = path.join(dir, relative)
      mkdirSync(path.dirname(file), { recursive: true })
      writeFileSync(file, text)
      return file
    },
    read: (relative) => readFileSync(path.join(dir, relative), 'utf8'),
    exists: (relative) => existsSync(path.join(dir, relative)),
    run: (args, env) => runCli(args, { cwd: dir, env }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
  for (const [relative, text] of Object.entries(files)) project.write(relative, text)
  return project
}
