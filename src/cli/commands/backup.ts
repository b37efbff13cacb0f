import path from 'node:path'
import type { Command } from 'commander'
import type { Run } from '../context.js'

/** Loaded when the command runs, so other commands (and --help, --version) do not pay for it. */
const backup = async (...args: Parameters<typeof import('../../api/backup.js').backup>) => (await import('../../api/backup.js')).backup(...args)

/** `migrator backup`: snapshot the database to a timestamped file (SQLite online backup API). */
export function register(program: Command, run: Run): void {
  program
    .command('backup')
    .description('snapshot the database to a timestamped file (config backup.dir, or next to a SQLite file)')
    .addHelpText('after', '\nExamples:\n  migrator backup\n  migrator backup --env production --json')
    .action(
      run(async (ctx) => {
        const info = await backup(await ctx.config())
        ctx.out.result(
          () => ({ backup: info }),
          () => ctx.out.print(`${path.relative(ctx.cwd, info.file) || info.file} (${formatBytes(info.size)})`),
        )
      }),
    )
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`
  return `${(n / 1024 / 1024).toFixed(1)} MiB`
}
