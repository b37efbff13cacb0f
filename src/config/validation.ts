/**
 * The zod schemas a config file is validated with. Imported only when a config file is loaded
 * (src/config/load.ts): building them, and loading zod, costs more than a command like
 * `migrator --version` takes in all.
 */
import { z } from 'zod'
import { DURATION_HINT, parseDuration } from './duration.js'

const duration = z
  .union([z.string(), z.number()], { error: `expected ${DURATION_HINT}` })
  .refine((value) => parseDuration(value) !== undefined, { error: `expected ${DURATION_HINT}` })

const nonEmpty = (what: string) => z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}, got an empty string` })

const lintSettings = z.strictObject(
  {
    rules: z
      .record(z.string().regex(/^[A-Z]{2}\d{3}$/, { error: 'expected a lint code like DS102' }), z.enum(['error', 'warning', 'info', 'off'], { error: 'expected error, warning, info or off' }))
      .optional(),
    largeTableRows: z.number({ error: 'expected a row count' }).int().min(0).optional(),
  },
  { error: 'expected { rules?: { CODE: severity }, largeTableRows?: number }' },
)
const backupSettings = z.strictObject({ enabled: z.boolean().optional(), dir: nonEmpty('a directory path string').optional() })
const preCheckSettings = z.strictObject({ maxTransactionAge: duration.optional() })

/** The keys a config file and each `envs` block may set. All optional: defaults apply after merging. */
const settings = {
  url: nonEmpty('a database URL string'),
  dir: nonEmpty('a directory path string'),
  target: nonEmpty('a path to a .sql file, a directory of .sql files or a .ts schema module'),
  devUrl: nonEmpty('a database URL string'),
  schemas: z
    .array(nonEmpty('a schema name'), { error: 'expected an array of schema names, like ["public"]' })
    .min(1, { error: 'expected at least one schema name' }),
  historyTable: z
    .string({ error: 'expected a table name string' })
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, {
      error: 'expected a plain identifier (letters, digits, underscores; not starting with a digit; at most 63 characters)',
    }),
  lockTimeout: duration,
  lockWait: duration,
  lint: lintSettings,
  backup: z.union([z.boolean(), backupSettings], { error: 'expected true/false or { enabled?: boolean, dir?: string }' }),
  preCheck: z.union([z.literal(false), preCheckSettings], { error: "expected false or { maxTransactionAge?: '5m' }" }),
  allowDataLoss: z.boolean({ error: 'expected true or false' }),
  allowOutOfOrder: z.boolean({ error: 'expected true or false' }),
  targets: z.union(
    [
      z.array(nonEmpty('a database URL string')).min(1, { error: 'expected at least one database URL' }),
      z.custom<() => readonly string[] | Promise<readonly string[]>>((value) => typeof value === 'function'),
    ],
    { error: 'expected an array of database URLs or a function returning one (it may be async)' },
  ),
  tenantSchemas: nonEmpty("a LIKE pattern for schema names, like 'tenant\\_%'"),
} as const

/** One `envs.<name>` block: the same keys as the top level, every one optional, no nested `envs`. */
export const envConfigSchema = z.strictObject(
  {
    url: settings.url.optional(),
    dir: settings.dir.optional(),
    target: settings.target.optional(),
    devUrl: settings.devUrl.optional(),
    schemas: settings.schemas.optional(),
    historyTable: settings.historyTable.optional(),
    lockTimeout: settings.lockTimeout.optional(),
    lockWait: settings.lockWait.optional(),
    lint: settings.lint.optional(),
    backup: settings.backup.optional(),
    preCheck: settings.preCheck.optional(),
    allowDataLoss: settings.allowDataLoss.optional(),
    allowOutOfOrder: settings.allowOutOfOrder.optional(),
    targets: settings.targets.optional(),
    tenantSchemas: settings.tenantSchemas.optional(),
    envs: z.never({ error: 'envs cannot be nested inside an env block' }).optional(),
  },
  { error: 'expected an object of settings' },
)

/** The whole config file (`export default defineConfig({ … })`). */
export const configSchema = z.strictObject(
  {
    ...envConfigSchema.shape,
    envs: z.record(z.string(), envConfigSchema, { error: 'expected an object of named env blocks' }).optional(),
  },
  { error: 'expected a default export holding the config object (export default { … })' },
)

/**
 * The keys the object at `path` of a config accepts, for "unknown key" messages: the top level,
 * an `envs.<name>` block, or a nested `lint`/`backup`/`preCheck` object.
 */
export function allowedKeys(path: readonly PropertyKey[]): readonly string[] {
  if (path.length === 0) return Object.keys(configSchema.shape)
  if (path.length === 2 && path[0] === 'envs') return Object.keys(envConfigSchema.shape).filter((key) => key !== 'envs')
  const nested: Readonly<Record<string, readonly string[]>> = {
    lint: Object.keys(lintSettings.shape),
    backup: Object.keys(backupSettings.shape),
    preCheck: Object.keys(preCheckSettings.shape),
  }
  return nested[String(path.at(-1))] ?? []
}
