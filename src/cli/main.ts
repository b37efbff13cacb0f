import { readFileSync } from 'node:fs'
import { Command, CommanderError } from 'commander'
import { redactUrl } from '../config/url.js'
import { MigratorError } from '../errors.js'
import * as backup from './commands/backup.js'
import * as baseline from './commands/baseline.js'
import * as copy from './commands/copy.js'
import * as diff from './commands/diff.js'
import * as down from './commands/down.js'
import * as hash from './commands/hash.js'
import * as init from './commands/init.js'
import * as inspect from './commands/inspect.js'
import * as lint from './commands/lint.js'
import * as newMigration from './commands/new.js'
import * as rebase from './commands/rebase.js'
import * as repair from './commands/repair.js'
import * as restore from './commands/restore.js'
import * as status from './commands/status.js'
import * as testCommand from './commands/test.js'
import * as up from './commands/up.js'
import * as validate from './commands/validate.js'
import * as verify from './commands/verify.js'
import { createRun } from './context.js'
import { addFleetFlags } from './flags.js'
import type { Run, Session } from './context.js'
import { createOutput, loadStyling } from './output.js'

/** Every command module exports `register(program, run)`; add new ones here. */
const COMMANDS: readonly { register(program: Command, run: Run): void }[] = [
  init, inspect, diff, newMigration, up, down, status, validate, lint, baseline, rebase, repair, hash, backup, restore, testCommand, verify, copy,
]

/** The commands that also run over a fleet (README "Fleets"); their actions call runOverFleet. */
const FLEET_COMMANDS: readonly string[] = ['up', 'down', 'status', 'validate', 'lint', 'verify']

/**
 * Runs the CLI for `argv` (`process.argv` shape). Never calls process.exit: it sets
 * process.exitCode (0, 1 error, 2 check found something) so stdout is flushed completely.
 */
export async function main(argv: readonly string[]): Promise<void> {
  ignoreClosedReader()
  const session: Session = {}
  const program = buildProgram(session)
  try {
    await program.parseAsync([...argv])
    if (session.out?.isJson === true && !session.out.jsonWritten) {
      // A command that forgot its document would leave CI parsing empty stdout; make it loud.
      throw new Error('internal: the command printed no JSON document under --json')
    }
  } catch (error) {
    await report(error, session, argv)
  }
}

/**
 * `migrator status | head` closes the pipe while migrator still writes: the write fails with EPIPE,
 * which would crash the process with a stack trace, in the middle of an `up` as well. The command
 * goes on to its end instead (its output has no reader left) and exits as it would have.
 */
function ignoreClosedReader(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error
    })
  }
}

/** The commander program with global flags and every command registered. */
export function buildProgram(session: Session, cwd: string = process.cwd()): Command {
  const program = new Command('migrator')
    .description('Schema-diffing database migrations for PostgreSQL, MySQL/MariaDB and SQLite')
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('--config <path>', 'config file (default: migrator.config.{ts,mts,cts,js,mjs,cjs,json} in the working directory)')
    .option('--env <name>', 'apply the envs.<name> block of the config')
    .option('--url <url>', 'database URL (overrides the config and DATABASE_URL)')
    .option('--dir <path>', 'migration directory')
    .option('--dev-url <url>', 'scratch database used to normalize SQL targets')
    .option('--json', 'print exactly one JSON document on stdout; logs go to stderr')
    .option('--no-color', 'disable colors (NO_COLOR is honored too)')
    .option('-y, --yes', 'answer yes to confirmations')
    .option('-q, --quiet', 'print only warnings, errors and results')
    .option('-v, --verbose', 'print details and stack traces')
    // Errors surface as exceptions so `report` prints them as one line with our exit code;
    // these settings are inherited by the commands registered below.
    .exitOverride()
    .configureOutput({ outputError: () => undefined })
    .showSuggestionAfterError(true)
    // Every command's --help lists the global flags too: they work after the command name.
    .configureHelp({ showGlobalOptions: true })
    .addHelpText('after', '\nExamples:\n  migrator init\n  migrator diff add_users\n  migrator up --dry-run\n  migrator status --check --env production\n\nEach command: migrator <command> --help')
  const run = createRun(session, cwd)
  for (const command of COMMANDS) command.register(program, run)
  for (const command of program.commands) if (FLEET_COMMANDS.includes(command.name())) addFleetFlags(command)
  return program
}

/** Prints `error` as one line (or the JSON error document) and sets the exit code. */
async function report(error: unknown, session: Session, argv: readonly string[]): Promise<void> {
  const json = session.out?.isJson ?? argv.includes('--json')
  const verbose = argv.includes('-v') || argv.includes('--verbose')
  const out = session.out ?? createOutput({ json, color: !argv.includes('--no-color'), quiet: false, verbose }, undefined, await loadStyling())

  let code: string
  let message: string
  let exitCode: number
  if (error instanceof CommanderError) {
    // --help and --version end here with exit code 0; commander already printed them.
    if (error.exitCode === 0 || error.code === 'commander.help' || error.code === 'commander.helpDisplayed') {
      process.exitCode = error.exitCode
      return
    }
    code = 'usage'
    message = oneLine(error.message.replace(/^error:\s*/, '')) + ' (see migrator --help)'
    exitCode = 1
  } else if (error instanceof MigratorError) {
    code = error.code
    message = oneLine(error.message)
    exitCode = error.exitCode
  } else {
    code = 'internal'
    message = oneLine(error instanceof Error ? error.message : String(error))
    exitCode = 1
  }
  message = redactUrl(message)

  if (json && !out.jsonWritten) out.json({ error: { code, message } })
  else out.error(message)
  if (verbose && error instanceof Error && error.stack !== undefined) process.stderr.write(`${redactUrl(stackOf(error))}\n`)
  process.exitCode = exitCode
}

/** Multi-line messages (commander suggestions, driver errors) joined so the error stays one line. */
function oneLine(text: string): string {
  return text
    .split('\n')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .join(' ')
}

function stackOf(error: Error): string {
  let text = error.stack ?? String(error)
  let cause = error.cause
  while (cause instanceof Error) {
    text += `\ncaused by: ${cause.stack ?? cause.message}`
    cause = cause.cause
  }
  return text
}

function packageVersion(): string {
  // dist/cli/main.js and src/cli/main.ts both sit two levels below the package root.
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }
  return pkg.version ?? '0.0.0'
}
