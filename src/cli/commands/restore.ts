import type { Command } from 'commander'
import { MigratorError } from '../../errors.js'
import type { Run } from '../context.js'

/** Loaded when the command runs, so other commands (and --help, --version) do not pay for it. */
const restore = async (...args: Parameters<typeof import('../../api/backup.js').restore>) => (await import('../../api/backup.js')).restore(...args)

/** `migrator restore <file>`: replace the database's contents with a backup, after confirmation. */
export function register(program: Command, run: Run): void {
  program
    .command('restore <file>')
    .description('replace the database with a backup taken by `migrator backup` or `up --backup` (asks first, or --yes)')
    .addHelpText('after', '\nExample:\n  migrator restore ./app.db.20240102-030405.backup --yes')
    .action(
      run(async (ctx, file: string) => {
        const config = await ctx.config()
        if (!(await ctx.confirm(`replace every table and row of the database with ${file}`))) {
          throw new MigratorError('aborted', 'restore cancelled; nothing was changed')
        }
        const done = await restore(config, file)
        ctx.out.result(
          () => ({ restored: done }),
          () => ctx.out.success(`restored ${done.database} from ${file}`),
        )
      }),
    )
}
