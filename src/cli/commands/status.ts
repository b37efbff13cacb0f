import path from 'node:path'
import type { Command } from 'commander'
import { isPending } from '../../api/states.js'
import type { Run } from '../context.js'
import type { RiskReport } from '../../lint/risk.js'
import { rowsTouched } from '../findings.js'
import { formatBytes } from './backup.js'
import type { FleetFlags } from '../flags.js'
import { runOverFleet } from '../fleet.js'

/** Loaded when the command runs, so other commands (and --help, --version) do not pay for it. */
const status = async (...args: Parameters<typeof import('../../api/status.js').status>) => (await import('../../api/status.js')).status(...args)

/** `migrator status [--check]`: per-migration state, drift and ungenerated changes. */
export function register(program: Command, run: Run): void {
  program
    .command('status')
    .description('show applied/baseline/pending/out-of-order/modified/missing/failed migrations, drift and ungenerated changes')
    .option('--to <target>', 'the declared target: a .sql file, a directory of .sql files or a .ts schema module (overrides config target)')
    .option('--check', 'exit 2 when anything is pending, out of order, modified, missing, failed or drifted')
    .addHelpText('after', '\nExamples:\n  migrator status\n  migrator status --check --json')
    .action(
      run(async (ctx, opts: { to?: string; check?: boolean } & FleetFlags) => {
        const config = await ctx.config(opts.to)
        if (await runOverFleet(ctx, config, opts, (tasks) => tasks.statusTask(opts.check === true))) return
        const spinner = ctx.out.spinner('reading history and comparing schemas')
        const report = await status(config)
        spinner.stop()
        ctx.out.result(
          () => report,
          () => {
            ctx.out.info(`database: ${report.database}`)
            if (report.migrations.length === 0) ctx.out.print('No migrations')
            else
              ctx.out.table(
                report.migrations.map((m) => ({ ...m, appliedAt: m.appliedAt ?? '', risk: riskText(m.risk) })),
                ['version', 'name', 'state', { key: 'appliedAt', header: 'applied at' }, 'risk'],
              )
            for (const m of report.migrations) {
              if (m.risk !== undefined && m.risk.level !== 'low') ctx.out.print(`${m.version}_${m.name} risk ${m.risk.level}:\n${m.risk.reasons.map((r) => `  ${r}`).join('\n')}`)
            }
            for (const m of report.migrations) if (m.hint !== undefined) ctx.out.print(`${m.version}_${m.name} failed: ${m.hint}`)
            const pending = report.migrations.filter((m) => isPending(m.state)).length
            const late = report.migrations.filter((m) => m.state === 'out-of-order')
            ctx.out.print(`${pending} pending`)
            if (late.length > 0) {
              ctx.out.print(
                `Out of order: ${late.map((m) => `${m.version}_${m.name}`).join(', ')} ${late.length === 1 ? 'is' : 'are'} older than the newest applied migration; ` +
                  '`migrator up` refuses to apply them unless --allow-out-of-order (see README "Working in a team")',
              )
            }
            if (report.replayError !== undefined) ctx.out.print(`Drift and target not checked: the migrations do not replay on a scratch database: ${report.replayError}`)
            else if (report.drift.length === 0) ctx.out.print('No drift')
            else ctx.out.print(`Drift: the database differs from what its applied migrations produce:\n${report.drift.map((d) => `  ${d}`).join('\n')}`)
            if (report.driftFrom === 'replay' && report.replayReason !== undefined) ctx.out.info(`drift checked by replaying the applied migrations on a scratch database: ${report.replayReason}`)
            if (report.ungenerated !== undefined) {
              if (report.ungenerated.length === 0) ctx.out.print('Target: in sync with the migrations')
              else ctx.out.print(`Target: ${report.ungenerated.length} change${report.ungenerated.length === 1 ? '' : 's'} not yet in a migration (run \`migrator diff\`):\n${report.ungenerated.map((d) => `  ${d}`).join('\n')}`)
            }
            if (report.backups.length > 0) {
              ctx.out.print('Backups:')
              ctx.out.table(
                report.backups.map((b) => ({ file: path.relative(ctx.cwd, b.file) || b.file, age: formatAge(b.ageMs), size: formatBytes(b.size) })),
                ['file', { key: 'age', align: 'right' }, { key: 'size', align: 'right' }],
              )
            }
          },
        )
        if (opts.check === true && report.needsAttention) process.exitCode = 2
      }),
    )
}

function riskText(risk: RiskReport | undefined): string {
  if (risk === undefined) return ''
  const rows = rowsTouched(risk)
  return rows === undefined ? risk.level : `${risk.level} (${rows})`
}

function formatAge(ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 120) return `${s}s ago`
  if (s < 7200) return `${Math.round(s / 60)}m ago`
  if (s < 172800) return `${Math.round(s / 3600)}h ago`
  return `${Math.round(s / 86400)}d ago`
}
