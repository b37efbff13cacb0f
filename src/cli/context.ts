import { createInterface } from 'node:readline/promises'
import type { Command } from 'commander'
import { loadConfig } from '../config/load.js'
import type { ResolvedConfig } from '../config/schema.js'
import { MigratorError } from '../errors.js'
import { createOutput, loadStyling } from './output.js'
import type { Output } from './output.js'

/** The global flags (SPEC "Commands"), as commander parses them on the root program. */
export interface GlobalOptions {
  readonly config?: string
  readonly env?: string
  readonly url?: string
  readonly dir?: string
  readonly devUrl?: string
  readonly json: boolean
  /** False with `--no-color`. */
  readonly color: boolean
  readonly yes: boolean
  readonly quiet: boolean
  readonly verbose: boolean
}

/** What every command action receives first. */
export interface CommandContext {
  readonly cwd: string
  readonly options: GlobalOptions
  readonly out: Output
  /**
   * The resolved config, loaded on the first call (`init` never calls it). `target` is the
   * command's own `--to <target>` (diff, status, lint), which overrides the config's `target`.
   */
  config(target?: string): Promise<ResolvedConfig>
  /** True with --yes; otherwise asks on the terminal; refuses when nobody can answer. */
  confirm(question: string): Promise<boolean>
}

/** A command body: the context, then commander's positional arguments and the command's own options. */
export type Action<A extends unknown[]> = (ctx: CommandContext, ...args: A) => Promise<void>

/** Wraps an Action into a commander action handler. Passed to every command's `register`. */
export type Run = <A extends unknown[]>(action: Action<A>) => (...args: unknown[]) => Promise<void>

/** State shared between the runner and main's error handler (which needs the command's Output). */
export interface Session {
  out?: Output
}

/**
 * Builds the `run` wrapper handed to each command's `register(program, run)`:
 *
 * ```ts
 * program.command('new <name>').option('--ts', 'a .ts module').action(
 *   run(async (ctx, name: string, opts: { ts?: boolean }) => { … ctx.out.result(…) }),
 * )
 * ```
 */
export function createRun(session: Session, cwd: string = process.cwd()): Run {
  return <A extends unknown[]>(action: Action<A>) =>
    async (...args: unknown[]) => {
      // commander calls handlers with (...arguments, options, command).
      const command = args.at(-1) as Command
      const local = (args.at(-2) ?? {}) as Record<string, unknown>
      const globals = normalize(rootOf(command).opts())
      const out = createOutput(globals, undefined, await loadStyling())
      session.out = out
      await action(createContext(cwd, globals, out), ...([...args.slice(0, -2), local] as A))
    }
}

function createContext(cwd: string, options: GlobalOptions, out: Output): CommandContext {
  let config: Promise<ResolvedConfig> | undefined
  return {
    cwd,
    options,
    out,
    config(target) {
      config ??= loadConfig({
        cwd,
        configPath: options.config,
        env: options.env,
        flags: { url: options.url, dir: options.dir, to: target, devUrl: options.devUrl },
      })
      return config
    },
    async confirm(question) {
      if (options.yes) return true
      if (options.json || process.stdin.isTTY !== true || process.stderr.isTTY !== true) {
        throw new MigratorError('confirmation-required', `${question}: cannot ask without a terminal; pass --yes to confirm`)
      }
      const prompt = createInterface({ input: process.stdin, output: process.stderr })
      try {
        return /^y(es)?$/i.test((await prompt.question(`${question} [y/N] `)).trim())
      } finally {
        prompt.close()
      }
    },
  }
}

function normalize(raw: Record<string, unknown>): GlobalOptions {
  const text = (key: string) => (typeof raw[key] === 'string' ? (raw[key] as string) : undefined)
  return {
    config: text('config'),
    env: text('env'),
    url: text('url'),
    dir: text('dir'),
    devUrl: text('devUrl'),
    json: raw.json === true,
    color: raw.color !== false,
    yes: raw.yes === true,
    quiet: raw.quiet === true,
    verbose: raw.verbose === true,
  }
}

function rootOf(command: Command): Command {
  let current = command
  while (current.parent !== null) current = current.parent
  return current
}
