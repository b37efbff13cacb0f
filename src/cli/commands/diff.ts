import path from 'node:path'
import type { Command } from 'commander'
import type { Run } from '../context.js'
import { printFinding } from '../findings.js'

/** Loaded when the command runs, so other commands (and --help, --version) do not pay for it. */
const diff = async (...args: Parameters<typeof import('../../api/diff.js').diff>) => (await import('../../api/diff.js')).diff(...args)

/** `migrator diff [name]`: generate the migration that turns the database into the target. */
export function register(program: Command, run: Run): void {
  program
    .command('diff [name]')
    .description('compare the database (or the replayed directory) with the target and write <version>_<name>.up/.down.sql')
    .option('--to <target>', 'the declared target: a .sql file, a directory of .sql files or a .ts schema module (overrides config target)')
    .option('--dry-run', 'print the SQL and write nothing')
    .option('--check', 'exit 2 when there are changes; write nothing')
    .option('--from <dir|url>', "compare from the migration directory replayed on a scratch database ('dir') or another database URL")
    .option('--zero-downtime', 'PostgreSQL/MySQL: split risky changes into expand → online → contract files with chunked backfills')
    .option('--concurrent-indexes', 'PostgreSQL: build new indexes on existing tables with CREATE INDEX CONCURRENTLY (the file runs without a transaction)')
    .addHelpText('after', '\nExamples:\n  migrator diff add_orders\n  migrator diff --dry-run\n  migrator diff --check --from dir\n  migrator diff rename_email --zero-downtime')
    .action(
      run(async (ctx, name: string | undefined, opts: { to?: string; dryRun?: boolean; check?: boolean; from?: string; concurrentIndexes?: boolean; zeroDowntime?: boolean }) => {
        const config = await ctx.config(opts.to)
        const spinner = ctx.out.spinner('comparing the database with the target')
        const outcome = await diff(config, { name, dryRun: opts.dryRun, check: opts.check, from: opts.from, concurrentIndexes: opts.concurrentIndexes, zeroDowntime: opts.zeroDowntime })
        spinner.stop()
        for (const candidate of outcome.renameCandidates) {
          ctx.out.warn(`${candidate.kind} ${candidate.from} → ${candidate.to} looks like a rename; declare "-- migrator:rename ${candidate.kind} ${candidate.kind === 'column' ? `${candidate.table}.` : ''}${candidate.from} to ${candidate.to}" in the target to keep its data`)
        }
        const changes = outcome.plan.statements.map((s) => ({ sql: s.sql, comment: s.comment, risks: s.risks }))
        const inSync = outcome.changes.length === 0
        const { statementsByChange } = await import('../../migrations/write.js')
        ctx.out.result(
          () => ({
            inSync,
            changes,
            renameCandidates: outcome.renameCandidates,
            lint: { findings: outcome.lint.findings, risk: outcome.lint.risk },
            ...(outcome.written === undefined ? {} : { files: { up: outcome.written.up, down: outcome.written.down } }),
            ...(opts.dryRun === true && !inSync ? { up: outcome.up, down: outcome.down } : {}),
            ...(outcome.phases === undefined ? {} : { phases: outcome.phases }),
          }),
          () => {
            if (inSync) return ctx.out.print('No changes')
            const phases = outcome.phases ?? []
            if (opts.dryRun === true) {
              if (changes.length > 0) ctx.out.print(outcome.up)
              for (const phase of phases) ctx.out.print(`-- ${phase.version}_${phase.slug}.up.sql\n${phase.up}`)
              return
            }
            for (const phase of phases) if (phase.written !== undefined) ctx.out.print(`${path.relative(ctx.cwd, phase.written.up)}\n${path.relative(ctx.cwd, phase.written.down)}`)
            if (outcome.written === undefined && phases.length > 0) return ctx.out.success(`wrote ${phases.length} zero-downtime phase file${phases.length === 1 ? '' : 's'}; each header says what to deploy before the next`)
            if (outcome.written === undefined) return ctx.out.print(`${changes.length} change${changes.length === 1 ? '' : 's'}:\n${changes.map((c) => `  ${c.comment}`).join('\n')}`)
            ctx.out.print(`${path.relative(ctx.cwd, outcome.written.up)}\n${path.relative(ctx.cwd, outcome.written.down)}`)
            ctx.out.success(`wrote ${changes.length} statement${changes.length === 1 ? '' : 's'}; review the files, then run \`migrator up\``)
            for (const change of statementsByChange(outcome.plan.statements)) {
              if (change.risks.length > 0) ctx.out.warn(`${change.risks.join(', ')}: ${change.description}`)
            }
            ctx.out.info(`risk ${outcome.lint.risk.level}`)
            for (const f of outcome.lint.findings) printFinding(ctx.out, f)
          },
        )
        if (opts.check === true && !inSync) process.exitCode = 2
      }),
    )
}
