import path from 'node:path'
import type { Command } from 'commander'
import { SUM_FILE } from '../../migrations/directory.js'
import { formatSum, writeSum } from '../../migrations/sum.js'
import type { Run } from '../context.js'

/** `migrator hash`: rewrite migrator.sum for the files on disk and print it. */
export function register(program: Command, run: Run): void {
  program
    .command('hash')
    .description('rewrite migrator.sum after intentional edits to migration files')
    .addHelpText('after', '\nExample:\n  migrator hash --dir db/migrations')
    .action(
      run(async (ctx) => {
        const { dir } = await ctx.config()
        const sum = await writeSum(dir, { recordDrafts: true })
        const file = path.join(dir, SUM_FILE)
        ctx.out.result(
          () => ({ file, total: sum.total, files: sum.files }),
          () => ctx.out.print(formatSum(sum)),
        )
        ctx.out.info(`wrote ${path.relative(ctx.cwd, file)} (${sum.files.length} file${sum.files.length === 1 ? '' : 's'})`)
      }),
    )
}
