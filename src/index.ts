/**
 * migrator's programmatic API. Every function takes a resolved config (see `loadConfig`), opens
 * the database it names, and closes it before returning.
 *
 *   const config = await loadConfig({ cwd: process.cwd() })
 *   const result = await up(config)
 *   if (result.error) throw result.error
 */
export { defineConfig } from './config/schema.js'
export type { Config, ResolvedConfig } from './config/schema.js'
export { loadConfig } from './config/load.js'
export { inspect, renderSchema, type InspectFormat, type InspectOutcome } from './api/inspect.js'
export { diff, type DiffOptions, type DiffOutcome } from './api/diff.js'
export { up, down, type UpOptions, type DownOptions } from './api/migrate.js'
export { status, type StatusReport, type MigrationStatus, type MigrationState } from './api/status.js'
export { validate, type ValidateReport } from './api/validate.js'
export { baseline } from './api/baseline.js'
export { adoptLive, type AdoptOptions, type AdoptOutcome } from './api/adopt.js'
export { rebase, type RebaseOptions, type RebaseOutcome } from './api/rebase.js'
export { repair, type RepairAction } from './api/repair.js'
export { lint, type LintReport, type LintOptions } from './api/lint.js'
export { backup, restore, backups, type BackupInfo } from './api/backup.js'
export { diffSchemas } from './schema/diff.js'
export type { Schema, Table, Column, Index, ForeignKey, Check, Unique, PrimaryKey, View, SchemaObject } from './schema/model.js'
export type { Change, TableChange } from './schema/changes.js'
export type { SchemaModule } from './target/module.js'
export type { RunResult } from './runner/run.js'
export type { RunEvent } from './runner/events.js'
export type { MigrationContext } from './runner/execute.js'
export type { BackfillRequest } from './backfill/context.js'
export type { BackfillResult } from './backfill/run.js'
export * from './errors.js'
