import type { ResolvedConfig } from '../config/schema.js'
import { MigratorError } from '../errors.js'
import type { TargetTask } from '../fleet/commands.js'
import { isFleet } from '../fleet/sources.js'
import type { FleetReport, TargetReport } from '../fleet/run.js'
import type { CommandContext } from './context.js'
import { parseCount, type FleetFlags } from './flags.js'
import type { Spinner } from './output.js'

type Tasks = typeof import('../fleet/commands.js')

/**
 * Runs the command over a fleet when `--targets`, `--tenant-schemas` or the config name one
 * (README "Fleets"), printing progress, the summary and the exit code; returns false for a
 * single-database run, which the command then does as always. `task` picks the command's
 * per-target adapter (src/fleet/commands.ts), so per-target semantics are the single-database ones.
 * Exit code: 1 when a target failed or was not run, else 2 when one has findings.
 */
export async function runOverFleet(ctx: CommandContext, config: ResolvedConfig, flags: FleetFlags, task: (tasks: Tasks) => TargetTask): Promise<boolean> {
  const sources = { file: flags.targets, tenantSchemas: flags.tenantSchemas, urlFlag: ctx.options.url !== undefined }
  if (!isFleet(config, sources)) {
    const given = (['concurrency', 'canary', 'continueOnError', 'shard'] as const).find((key) => flags[key] !== undefined)
    if (given !== undefined) throw new MigratorError('usage', `--${given.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} runs over a fleet: pass --targets <file> or --tenant-schemas <pattern>, or set targets in the config`)
    return false
  }
  const concurrency = parseCount('--concurrency', flags.concurrency) ?? 4
  if (concurrency < 1) throw new MigratorError('usage', '--concurrency: expected at least 1, got "0"')
  const canary = parseCount('--canary', flags.canary) ?? 0
  const { parseShard, shardOf } = await import('../fleet/shard.js')
  const shard = parseShard(flags.shard)
  const [{ resolveTargets }, { runFleet }, tasks] = await Promise.all([import('../fleet/targets.js'), import('../fleet/run.js'), import('../fleet/commands.js')])
  const targets = shardOf(await resolveTargets(config, sources), shard, (t) => t.label)
  if (shard !== undefined) ctx.out.info(`shard ${shard.index}/${shard.count}: ${targets.length} target${targets.length === 1 ? '' : 's'}`)

  const progress = startProgress(ctx, targets.length)
  const report = await runFleet(config, targets, task(tasks), { concurrency, canary, continueOnError: flags.continueOnError === true, onTarget: progress.update })
  progress.stop()
  printReport(ctx, report)
  if (report.failed + report.notRun > 0) process.exitCode = 1
  else if (report.findings > 0) process.exitCode = 2
  return true
}

/**
 * On a terminal one redrawn line (done/total, failures, ETA); elsewhere one log line per target
 * as it finishes, so CI logs show the fleet advancing.
 */
function startProgress(ctx: CommandContext, total: number): { update(report: TargetReport, done: number, failed: number): void; stop(): void } {
  const started = performance.now()
  const spinner: Spinner | undefined = ctx.out.spinnersEnabled ? ctx.out.spinner(`0/${total} targets done, 0 failed`) : undefined
  return {
    update(report, done, failed) {
      if (spinner === undefined) {
        ctx.out.info(`[${done}/${total}] ${report.status} ${report.target} ${versionText(report)} ${report.detail}${report.error === undefined ? '' : `: ${report.error.message}`} (${report.ms} ms)`)
        return
      }
      const elapsed = performance.now() - started
      const eta = Math.round(((elapsed / done) * (total - done)) / 1000)
      spinner.text = `${done}/${total} targets done, ${failed} failed${done < total ? `, ETA ${eta}s` : ''}`
    },
    stop: () => spinner?.stop(),
  }
}

function printReport(ctx: CommandContext, report: FleetReport): void {
  const counts = `${report.total} target${report.total === 1 ? '' : 's'}: ${report.ok} ok, ${report.findings} with findings, ${report.failed} failed, ${report.notRun} not run`
  ctx.out.result(
    () => report,
    () => {
      ctx.out.table(
        report.targets.map((r) => ({ ...r, version: versionText(r) })),
        ['target', 'version', 'status', { key: 'ms', align: 'right' }, 'detail'],
      )
      ctx.out.print(counts)
    },
  )
  for (const r of report.targets) if (r.error !== undefined) ctx.out.error(`${r.target}: ${r.error.message}`)
}

/** `before → after`, one version when nothing changed, empty for commands that do not read history. */
function versionText(report: TargetReport): string {
  const { versionBefore: before, versionAfter: after } = report
  if (before === after) return before ?? ''
  return `${before ?? '(none)'} → ${after ?? '(none)'}`
}
