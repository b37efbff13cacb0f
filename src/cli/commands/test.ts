import type { Command } from 'commander'
import type { MigrationTest } from '../../api/test-migrations.js'
import type { Run } from '../context.js'

// Loaded when the command runs, so other commands' start-up does not pay for it.
const testMigrations = async (...args: Parameters<typeof import('../../api/test-migrations.js').testMigrations>) => (await import('../../api/test-migrations.js')).testMigrations(...args)
import { MigratorError } from '../../errors.js'

/** `migrator test`: round-trips every migration (up, seeded rows, down, up again) on a scratch database; exit 2 on a failure. */
export function register(program: Command, run: Run): void {
  program
    .command('test')
    .description('round-trip each migration on a scratch database: up, seed rows, down (schema and rows as before), up again; never touches the configured database')
    .option('--latest <n>', 'test only the newest n migrations (the earlier ones are applied untested)')
    .addHelpText(
      'after',
      '\nExamples:\n  migrator test\n  migrator test --latest 1\n  migrator test --dev-url postgres://localhost/dev --json\n\nData tests: <version>_<name>.test.sql beside a pair (-- migrator:before, -- migrator:expect <query>,\n-- migrator:expect-after-down <query>), or in a .ts/.js migration export const test = { before(ctx), expect(ctx), expectAfterDown(ctx) }.\n\nExit codes: 0 every migration passed (or is irreversible), 2 a migration failed, 1 an error.',
    )
    .action(
      run(async (ctx, opts: { latest?: string }) => {
        const config = await ctx.config()
        const spinner = ctx.out.spinner('testing migrations on a scratch database')
        const report = await testMigrations(config, { latest: parseLatest(opts.latest) })
        spinner.stop()
        ctx.out.result(
          () => report,
          () => {
            if (report.replayed > 0) ctx.out.info(`${report.replayed} earlier migration${report.replayed === 1 ? '' : 's'} applied untested`)
            if (report.migrations.length === 0) ctx.out.print('No migrations to test')
            for (const m of report.migrations) ctx.out.print(lineOf(m))
            const passed = report.migrations.filter((m) => m.status === 'pass').length
            const irreversible = report.migrations.filter((m) => m.status === 'irreversible').length
            if (report.migrations.length > 0) {
              ctx.out.print(`${passed} passed, ${report.failed} failed${irreversible > 0 ? `, ${irreversible} irreversible` : ''}`)
            }
          },
        )
        if (report.failed > 0) process.exitCode = 2
      }),
    )
}

function lineOf(m: MigrationTest): string {
  const label = `${m.version}_${m.name}`
  const unseeded = (m.notSeeded ?? []).map((p) => `\n    not seeded: ${p.table}: ${p.reason}`).join('')
  switch (m.status) {
    case 'pass':
      return `pass  ${label}${unseeded}`
    case 'irreversible':
      return `irreversible  ${label} (no down: only its up was applied)`
    case 'not-run':
      return `not run  ${label} (an earlier migration failed)`
    case 'fail':
      return `FAIL  ${label} at ${m.step ?? 'up'}:\n${(m.differences ?? []).map((d) => `    ${d}`).join('\n')}${unseeded}`
  }
}

function parseLatest(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  if (!/^[1-9]\d*$/.test(value)) throw new MigratorError('usage', `--latest: expected a positive whole number, got "${value}"`)
  return Number(value)
}
