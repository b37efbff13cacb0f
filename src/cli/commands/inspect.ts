import type { Command } from 'commander'
import type { InspectFormat } from '../../api/inspect.js'
import type { Run } from '../context.js'
import { parseChoice } from '../flags.js'

/** Loaded when the command runs, so other commands (and --help, --version) do not pay for it. */
const inspect = async (...args: Parameters<typeof import('../../api/inspect.js').inspect>) => (await import('../../api/inspect.js')).inspect(...args)

/** `migrator inspect`: print the live schema. */
export function register(program: Command, run: Run): void {
  program
    .command('inspect')
    .description('print the live schema')
    .option('--format <format>', 'sql, json, ts (a migrator schema module), drizzle (a drizzle-orm schema) or mermaid', 'sql')
    .addHelpText('after', '\nExamples:\n  migrator inspect\n  migrator inspect --format mermaid\n  migrator inspect --format drizzle > src/db/schema.ts')
    .action(
      run(async (ctx, opts: { format: string }) => {
        const format = parseChoice<InspectFormat>('--format', opts.format, ['sql', 'json', 'ts', 'drizzle', 'mermaid'])
        const outcome = await inspect(await ctx.config(), format)
        if (outcome.omitted.length > 0) {
          ctx.out.warn(`drizzle-orm cannot declare ${outcome.omitted.join(', ')}: left out of the file (listed at its top); keep ${outcome.omitted.length === 1 ? 'it' : 'them'} in SQL migrations, since a target made of this file would drop ${outcome.omitted.length === 1 ? 'it' : 'them'}`)
        }
        ctx.out.result(() => (format === 'json' ? outcome.schema : { format, text: outcome.text }), () => ctx.out.print(outcome.text))
      }),
    )
}
