import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Command } from 'commander'
import { CONFIG_FILE_NAMES } from '../../config/load.js'
import { CONFIG_DEFAULTS } from '../../config/schema.js'
import { redactUrl } from '../../config/url.js'
import { SUM_FILE } from '../../migrations/directory.js'
import { writeSum } from '../../migrations/sum.js'
import type { CommandContext, Run } from '../context.js'

const DEFAULT_URL = 'sqlite:./dev.db'
const DEFAULT_TARGET = './schema.sql'

/** `migrator init`: scaffold config, migration directory and target schema; never overwrites. */
export function register(program: Command, run: Run): void {
  program
    .command('init')
    .description('create migrator.config.ts, the migration directory and a target schema file (existing files are kept)')
    .option('--to <target>', 'where to create the target schema file (default: ./schema.sql)')
    .option('--from-live', 'adopt the existing database at --url (or the config\'s url): schema file from its live schema, a baseline migration recreating it, recorded there as applied')
    .addHelpText('after', '\nExamples:\n  migrator init\n  migrator init --url postgres://localhost:5432/app --dir db/migrations --to db/schema.sql\n  migrator init --from-live --url postgres://localhost:5432/app')
    .action(
      run(async (ctx, opts: { to?: string; fromLive?: boolean }) => {
        if (opts.fromLive === true) return initFromLive(ctx, opts.to)
        const { cwd, options, out } = ctx
        const dir = path.resolve(cwd, options.dir ?? CONFIG_DEFAULTS.dir)
        const target = path.resolve(cwd, opts.to ?? DEFAULT_TARGET)
        const created: string[] = []
        const skipped: string[] = []
        const rel = (file: string) => path.relative(cwd, file) || '.'

        // A password typed on the command line must not end up in a file that gets committed.
        const url = options.url !== undefined && redactUrl(options.url) === options.url ? options.url : DEFAULT_URL
        if (url !== (options.url ?? DEFAULT_URL)) {
          out.warn(`--url holds a password; writing ${DEFAULT_URL} to the config instead: set DATABASE_URL to use that database`)
        }
        const existingConfig = CONFIG_FILE_NAMES.find((name) => existsSync(path.join(cwd, name)))
        if (existingConfig === undefined) {
          await writeFile(path.join(cwd, 'migrator.config.ts'), configText(url, `./${rel(dir)}`, `./${rel(target)}`))
          created.push('migrator.config.ts')
        } else skipped.push(existingConfig)

        await mkdir(dir, { recursive: true })
        if (existsSync(path.join(dir, SUM_FILE))) skipped.push(rel(path.join(dir, SUM_FILE)))
        else {
          // A valid sum over zero files, so the first `migrator diff` verifies cleanly.
          await writeSum(dir)
          created.push(rel(path.join(dir, SUM_FILE)))
        }

        if (existsSync(target)) skipped.push(rel(target))
        else {
          await mkdir(path.dirname(target), { recursive: true })
          await writeFile(target, SCHEMA_TEXT)
          created.push(rel(target))
        }

        out.result(
          () => ({ created, skipped }),
          () => {
            for (const file of created) out.success(`created ${file}`)
            for (const file of skipped) out.info(`skipped ${file} (already exists)`)
            if (created.length > 0) out.info(`next: declare tables in ${rel(target)}, then run \`migrator diff <name>\``)
          },
        )
      }),
    )
}

/** `migrator init --from-live`: adopt the configured (or --url) database; see adoptLive. */
async function initFromLive(ctx: CommandContext, to: string | undefined): Promise<void> {
  const { cwd, out } = ctx
  const config = await ctx.config(to)
  const withTarget = config.target === undefined ? { ...config, target: path.resolve(cwd, DEFAULT_TARGET) } : config
  const rel = (file: string) => path.relative(cwd, file) || '.'
  const hasConfig = config.configPath !== undefined || CONFIG_FILE_NAMES.some((name) => existsSync(path.join(cwd, name)))
  let configFile: { path: string; text: (schemas: readonly string[] | undefined) => string } | undefined
  const url = config.url ?? DEFAULT_URL
  const written = withoutPassword(url)
  if (!hasConfig) {
    configFile = { path: path.join(cwd, 'migrator.config.ts'), text: (schemas) => configText(written, `./${rel(withTarget.dir)}`, `./${rel(withTarget.target!)}`, schemas) }
  }
  const spinner = out.spinner('reading the live schema and checking that it rebuilds')
  const { adoptLive } = await import('../../api/adopt.js')
  const outcome = await adoptLive(withTarget, { configFile, scaffoldTarget: SCHEMA_TEXT }).finally(() => spinner.stop())
  out.result(
    () => ({ ...outcome, written: outcome.written.map(rel) }),
    () => {
      for (const file of outcome.written) out.success(`created ${rel(file)}`)
      if (!hasConfig && written !== url) out.warn('--url holds a password; the config got the URL without it: set DATABASE_URL to connect with the password')
      if (hasConfig && config.target === undefined) out.warn(`the config names no \`target\`: add \`target: './${rel(withTarget.target!)}'\` to it, so \`diff\` and \`status\` compare with the file just written`)
      out.success(`recorded ${outcome.version}_baseline as applied in ${outcome.database} (nothing was run there): ${outcome.tables} table${outcome.tables === 1 ? '' : 's'}, ${outcome.views} view${outcome.views === 1 ? '' : 's'}, ${outcome.objects} other object${outcome.objects === 1 ? '' : 's'}`)
      out.info(`next: commit these files; edit ${rel(withTarget.target!)} and run \`migrator diff <name>\` for the next change`)
    },
  )
}

/** `url` without its password, which must not end up in a committed file. */
function withoutPassword(url: string): string {
  if (redactUrl(url) === url) return url
  try {
    const parsed = new URL(url)
    parsed.password = ''
    return parsed.toString()
  } catch {
    return DEFAULT_URL
  }
}

/** A type-only import, so the file also loads where the `migrator` package cannot be resolved. */
function configText(url: string, dir: string, target: string, schemas?: readonly string[]): string {
  return `import type { Config } from 'migrator'

export default {
  // The database to migrate; DATABASE_URL wins when set.
  url: process.env.DATABASE_URL ?? ${quote(url)},
  // Migration files (<version>_<name>.up.sql / .down.sql) and migrator.sum.
  dir: ${quote(dir)},
  // The declared target schema: a .sql file, a directory of .sql files, a drizzle-orm schema or a .ts schema module.
  target: ${quote(target)},
${schemas === undefined ? '' : `  // The PostgreSQL schemas migrator manages.\n  schemas: [${schemas.map(quote).join(', ')}],\n`}  // A scratch database used to normalize SQL targets (optional).
  // devUrl: 'postgres://postgres@localhost:5432/migrator_dev',
  // Settings picked with --env <name>; they override the ones above.
  // envs: { production: { url: process.env.PROD_DATABASE_URL } },
} satisfies Config
`
}

const SCHEMA_TEXT = `-- The declared target schema. Describe the tables you want, then run
-- \`migrator diff <name>\` to generate the migration that gets the database there.
--
-- CREATE TABLE users (
--   id INTEGER PRIMARY KEY,
--   email TEXT NOT NULL UNIQUE,
--   created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
-- );
`

function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}
