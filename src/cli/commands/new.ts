import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Command } from 'commander'
import { listMigrationEntries, nextVersion, slugify } from '../../migrations/directory.js'
import { draftText } from '../../migrations/draft.js'
import { verifySum, writeSum } from '../../migrations/sum.js'
import type { Run } from '../context.js'

/** `migrator new <name> [--ts]`: an empty up/down pair (or a .ts module), then a fresh migrator.sum. */
export function register(program: Command, run: Run): void {
  program
    .command('new <name>')
    .description('create an empty migration: <version>_<name>.up.sql + .down.sql, or a .ts module with --ts')
    .option('--ts', 'create a TypeScript module exporting up(ctx) and down(ctx) (data migrations)')
    .addHelpText('after', '\nExamples:\n  migrator new backfill_names\n  migrator new copy_legacy_orders --ts')
    .action(
      run(async (ctx, name: string, opts: { ts?: boolean }) => {
        const { dir } = await ctx.config()
        const slug = slugify(name)
        await mkdir(dir, { recursive: true })
        // Refuse to bless unreviewed edits: the sum must match before we rewrite it.
        await verifySum(dir)
        const version = nextVersion((await listMigrationEntries(dir)).map((entry) => entry.version), new Date())
        const base = `${version}_${slug}`
        const names = opts.ts === true ? [`${base}.ts`] : [`${base}.up.sql`, `${base}.down.sql`]
        const files = names.map((file) => ({ name: file, text: draftText(file)! }))
        // 'wx': never overwrite, even if a file of that name appeared since we listed the directory.
        for (const file of files) await writeFile(path.join(dir, file.name), file.text, { flag: 'wx' })
        await writeSum(dir)

        const paths = files.map((file) => path.join(dir, file.name))
        ctx.out.result(
          () => ({ version, name: slug, files: paths }),
          () => {
            ctx.out.print(paths.map((file) => path.relative(ctx.cwd, file)).join('\n'))
            ctx.out.info('edit the new file(s), then `migrator up` (it refuses an up file that holds only comments); before you commit, `migrator hash` records your edits in migrator.sum (`migrator validate` lists edits not recorded yet)')
          },
        )
      }),
    )
}
