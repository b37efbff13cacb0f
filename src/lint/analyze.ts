import type { Driver, PlanOptions } from '../dialects/dialect.js'
import type { MigrationFile } from '../migrations/file.js'
import type { Change, TableChange } from '../schema/changes.js'
import { qualifiedName } from '../schema/model.js'
import { analyzeChanges } from './changes.js'
import type { FileFinding, LintFinding, RuleSetting } from './finding.js'
import type { DataProbe } from './probe.js'
import { analyzeReversibility } from './reverse.js'
import { assessRisk, type RiskReport } from './risk.js'
import { analyzeStatements } from './text.js'

/** Lint settings from config (`lint: { rules: { DS102: 'error' }, largeTableRows: 100000 }`). */
export interface LintSettings {
  /** Per-code severity override, or 'off'. */
  readonly rules?: Readonly<Record<string, RuleSetting>>
  /** Tables with at least this many rows are large (LK findings). */
  readonly largeTableRows?: number
}

export const DEFAULT_LARGE_TABLE_ROWS = 100_000

/** The lint result of one migration. */
export interface MigrationLint {
  readonly version: string
  readonly name: string
  readonly file: string
  readonly findings: readonly FileFinding[]
  readonly risk: RiskReport
}

export interface LintInput {
  readonly file: Pick<MigrationFile, 'version' | 'slug' | 'upFile' | 'format' | 'up' | 'down' | 'directives'>
  /** What the migration changes: `diffSchemas(before, after)`. */
  readonly changes: readonly Change[]
  /** The dialect: splitter, quoting, its optional `lintChange` hook and `valueLosses`. */
  readonly driver: Pick<Driver, 'splitStatements' | 'lintChange' | 'capabilities' | 'valueLosses' | 'rowLosses'>
  /** The whole schemas before and after the migration (for `valueLosses`). */
  readonly schemas?: PlanOptions
  /** The live database, when this migration meets its data as it is (might-fail counts). */
  readonly probe?: DataProbe
  /** The live database, for counting values the migration would destroy (consent). */
  readonly lossProbe?: DataProbe
  /** Modules: whether a down() is exported (SQL files use `file.down`). */
  readonly hasDownFunction?: boolean
  /** Findings found elsewhere (the migration failed on the scratch database). */
  readonly extra?: readonly LintFinding[]
  readonly settings?: LintSettings
}

/**
 * Runs every analyzer over one migration: change analyzers (with data counts through `probe`),
 * statement text checks, reversibility, then the dialect's `lintChange` hook; applies the
 * configured severities and assesses the risk.
 */
export async function lintMigration(input: LintInput): Promise<MigrationLint> {
  const { file, changes, driver, probe, settings = {} } = input
  const transactional = driver.capabilities.transactionalDdl && !file.directives.noTransaction
  const statements = file.format === 'sql' ? driver.splitStatements(file.up).map((s) => s.sql) : []
  const rows = probe === undefined ? undefined : await touchedRows(changes, probe)
  const findings: LintFinding[] = [
    ...(input.extra ?? []),
    ...(await analyzeChanges(changes, {
      probe,
      lossProbe: input.lossProbe,
      valueLosses: (change) => driver.valueLosses?.(change, input.schemas) ?? [],
      rowLosses: (change) => driver.rowLosses?.(change, input.schemas) ?? [],
      identifierCase: driver.capabilities.identifierCase,
      valuesKept: file.directives.valuesKept,
    })),
    ...analyzeStatements(statements, { transactional, optedOut: driver.capabilities.transactionalDdl && file.directives.noTransaction }),
    ...analyzeReversibility({ format: file.format, down: file.down, hasDownFunction: input.hasDownFunction }, changes),
  ]
  if (driver.lintChange !== undefined) {
    const context = { rows, transactional, statements, largeTableRows: settings.largeTableRows ?? DEFAULT_LARGE_TABLE_ROWS }
    for (const change of changes) findings.push(...driver.lintChange(change, context))
  }
  const configured = applyRules(findings, settings.rules ?? {})
  return {
    version: file.version,
    name: file.slug,
    file: file.upFile,
    findings: configured.map((f) => ({ ...f, version: file.version, file: file.upFile })),
    risk: assessRisk(configured, rows),
  }
}

/** Config overrides: a code set to 'off' disappears, otherwise its severity is replaced. */
export function applyRules(findings: readonly LintFinding[], rules: Readonly<Record<string, RuleSetting>>): LintFinding[] {
  const out: LintFinding[] = []
  for (const f of findings) {
    const rule = rules[f.code]
    if (rule === 'off') continue
    out.push(rule === undefined ? f : { ...f, severity: rule })
  }
  return out
}

/**
 * Tables whose rows the changes drop, rewrite or scan, with their live row counts (tables not there
 * yet are left out). A rename (of a table, column or index) or a comment touches no row.
 */
async function touchedRows(changes: readonly Change[], probe: DataProbe): Promise<Map<string, number>> {
  const names = new Set<string>()
  for (const change of changes) {
    if (change.kind === 'dropTable') names.add(qualifiedName(change.table))
    if (change.kind === 'alterTable' && !change.changes.every((c) => NAME_ONLY.has(c.kind))) names.add(qualifiedName(change.from))
  }
  const rows = new Map<string, number>()
  for (const name of names) {
    const n = await probe.rows(name)
    if (n !== undefined) rows.set(name, n)
  }
  return rows
}

/** Table changes that only rename or comment: no row is read or written. */
const NAME_ONLY: ReadonlySet<TableChange['kind']> = new Set(['renameColumn', 'renameIndex', 'alterComment'])

/** One header line per finding, for generated files and messages: `DS102 warning: drops column …`. */
export function findingLine(f: LintFinding): string {
  return `${f.code} ${f.severity}: ${f.message}`
}
