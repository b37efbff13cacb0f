import type { Command } from 'commander'
import type { MigrationLint } from '../../lint/analyze.js'
import type { Run } from '../context.js'
import { rowsTouched } from '../findings.js'
import type { FleetFlags } from '../flags.js'
import { runOverFleet } from '../fleet.js'
import type { Output } from '../output.js'
import { MigratorError } from '../../errors.js'

/** Loaded when the command runs, so other commands (and --help, --version) do not pay for it. */
const lint = async (...args: Parameters<typeof import('../../api/lint.js').lint>) => (await import('../../api/lint.js')).lint(...args)

/**
 * `migrator lint [--latest N]`: risk analyzers over pending (or the newest N) migrations; exit 2 on
 * error-level findings. `--json`: `{ database, migrations: [{ version, name, file, findings:
 * [{ code, severity, message, fix?, table?, rows?, version, file }], risk: { level, reasons,
 * rowsTouched?, tables? } }], errors, warnings }` (docs/lint.md).
 */
export function register(program: Command, run: Run): void {
  program
    .command('lint')
    .description('analyze pending (or the latest N) migrations for destructive, failing, locking and irreversible changes')
    .option('--to <target>', 'the declared target, as for diff and status (lint itself reads only the migration files)')
    .option('--latest <n>', 'lint the newest n migrations, applied or not, instead of the pending ones')
    .addHelpText('after', '\nExamples:\n  migrator lint\n  migrator lint --latest 1 --json\n\nCodes and fixes: docs/lint.md')
    .action(
      run(async (ctx, opts: { to?: string; latest?: string } & FleetFlags) => {
        const latest = parseLatest(opts.latest)
        const config = await ctx.config(opts.to)
        if (await runOverFleet(ctx, config, opts, (tasks) => tasks.lintTask({ latest }))) return
        const spinner = ctx.out.spinner('replaying migrations on a scratch database')
        const report = await lint(config, { latest })
        spinner.stop()
        ctx.out.result(
          () => report,
          () => {
            if (report.migrations.length === 0) return ctx.out.print(latest === undefined ? 'No pending migrations' : 'No migrations')
            for (const m of report.migrations) printMigration(ctx.out, m)
            ctx.out.print(`${report.errors} error${report.errors === 1 ? '' : 's'}, ${report.warnings} warning${report.warnings === 1 ? '' : 's'}`)
          },
        )
        if (report.errors > 0) process.exitCode = 2
      }),
    )
}

/** One migration's risk line and findings (shared with `up --dry-run` and `status`). */
export function printMigration(out: Output, m: MigrationLint): void {
  const rows = rowsTouched(m.risk)
  out.print(`${m.file}: risk ${m.risk.level}${rows === undefined ? '' : `, ${rows} touched`}`)
  if (m.findings.length === 0) out.print('  no findings')
  for (const f of m.findings) {
    out.print(`  ${f.code} ${f.severity}: ${f.message}`)
    if (f.fix !== undefined) out.print(`    fix: ${f.fix}`)
  }
}

function parseLatest(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  if (!/^[1-9]\d*$/.test(value)) throw new MigratorError('usage', `--latest: expected a positive whole number, got "${value}"`)
  return Number(value)
}
