import type { z } from 'zod'
import type { configSchema, envConfigSchema } from './validation.js'

/** What a user writes in `migrator.config.ts`. */
export type Config = z.input<typeof configSchema>
/** One `envs.<name>` block. */
export type EnvConfig = z.input<typeof envConfigSchema>

/** Values used when neither a flag, the selected env block nor the top level sets a key. */
export const CONFIG_DEFAULTS = {
  dir: './migrations',
  historyTable: 'migrator_history',
  lockTimeout: '5s',
  lockWait: '30s',
  preCheck: { maxTransactionAge: '5m' },
} as const satisfies Partial<Config>

/** The config every command works with: flags, env block, file and defaults merged; paths absolute. */
export interface ResolvedConfig {
  /** The working directory the CLI ran in. */
  readonly cwd: string
  /** Absolute path of the config file, when one was found. */
  readonly configPath?: string
  /** Unparsed; commands call `parseUrl` when they need a connection. */
  readonly url?: string
  /** Absolute migration directory. */
  readonly dir: string
  /** Absolute path of the declared target. */
  readonly target?: string
  readonly devUrl?: string
  /**
   * The schemas (namespaces) commands manage. Absent: the ones the URL's `search_path` names, else
   * every user schema of the database. Where the dialect has none, ignored.
   */
  readonly schemas?: readonly string[]
  readonly historyTable: string
  readonly lockTimeoutMs: number
  readonly lockWaitMs: number
  /** The `--env` block that was applied. */
  readonly envName?: string
  /** Lint severities per code (`off` silences one) and what counts as a large table. */
  readonly lint?: {
    readonly rules: Readonly<Record<string, 'error' | 'warning' | 'info' | 'off'>>
    readonly largeTableRows?: number
  }
  /** Snapshot before `up` (as if `--backup` were given); `dir` is absolute. */
  readonly backup?: { readonly enabled: boolean; readonly dir?: string }
  /**
   * Lock pre-check before each migration of `up` (default on, 5 minutes): a session locking a
   * table the migration touches with a transaction this old blocks the run. Absent: off.
   */
  readonly preCheck?: { readonly maxTransactionAgeMs: number }
  /**
   * `up`/`down` may destroy stored values without asking (as if `--allow-data-loss` were given).
   * Best set only in an env block whose migrations were reviewed, never at the top level by habit.
   */
  readonly allowDataLoss?: boolean
  /** `up` applies pending migrations older than the newest applied one (as if `--allow-out-of-order` were given). */
  readonly allowOutOfOrder?: boolean
  /**
   * A fleet's databases (README "Fleets"): URLs, or a function returning them (it may be async),
   * called only by a command that runs over the fleet. `--url` and `--targets` replace it.
   */
  readonly targets?: readonly string[] | (() => readonly string[] | Promise<readonly string[]>)
  /** A LIKE pattern: run over every matching schema of each database (PostgreSQL tenant schemas). */
  readonly tenantSchemas?: string
}

/**
 * Types a config object for editors; returns it unchanged (validation happens when it is loaded).
 *
 * @example
 * export default defineConfig({ url: process.env.DATABASE_URL ?? 'sqlite:./dev.db', target: './schema.sql' })
 */
export function defineConfig(config: Config): Config {
  return config
}
