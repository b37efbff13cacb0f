import type { BackfillEvent } from '../backfill/events.js'
import type { SessionActivity } from '../dialects/dialect.js'
import type { RunEvent } from '../runner/events.js'
import type { Output, Spinner } from './output.js'

/**
 * Renders runner events: a spinner per migration on a TTY, one line per finished migration
 * otherwise, statements and checks under --verbose. Nothing on stdout (results are printed after).
 */
export function eventRenderer(out: Output, options: { readonly dryRun?: boolean } = {}): (event: RunEvent) => void {
  // A dry run executes nothing: its events say what would happen, and the SQL is the result.
  const would = options.dryRun === true ? 'would be ' : ''
  let spinner: Spinner | undefined
  const done = (ok: boolean, text: string) => {
    if (spinner !== undefined) {
      if (ok) spinner.succeed(text)
      else spinner.fail(text)
      spinner = undefined
    } else if (ok) out.success(text)
    else out.warn(text)
  }
  let lastLog = 0
  const renderBackfill = (event: BackfillEvent): void => {
    switch (event.kind) {
      case 'backfill-start':
        out.info(`  backfill ${event.table}: ${event.total === undefined ? '' : `${event.total.toLocaleString('en-US')} rows`}${event.resumedFrom > 0 ? ` (resuming after ${event.resumedFrom.toLocaleString('en-US')})` : ''}`)
        return
      case 'backfill-progress': {
        const eta = event.etaMs === undefined ? '' : `, ETA ${Math.ceil(event.etaMs / 1000)} s`
        const text = `backfill ${event.table}: ${event.rowsDone.toLocaleString('en-US')}${event.total === undefined ? '' : `/${event.total.toLocaleString('en-US')}`} rows, ${Math.round(event.rowsPerSecond).toLocaleString('en-US')} rows/s${eta}`
        // On a TTY the spinner line updates in place; elsewhere a log line every 5 seconds.
        if (spinner !== undefined && out.spinnersEnabled) spinner.text = text
        else if (Date.now() - lastLog >= 5000) {
          lastLog = Date.now()
          out.info(`  ${text}`)
        }
        return
      }
      case 'backfill-pass':
        out.info(`  backfill ${event.table}: ${event.remaining.toLocaleString('en-US')} rows written behind the cursor; pass ${event.pass}`)
        return
      case 'backfill-done':
        out.info(`  backfill ${event.table}: ${event.rowsDone.toLocaleString('en-US')} rows in ${(event.elapsedMs / 1000).toFixed(1)} s`)
        return
    }
  }
  return (event) => {
    switch (event.kind) {
      case 'migration-start':
        spinner = out.spinner(`${event.direction === 'up' ? 'applying' : 'reverting'} ${event.version}_${event.name} (${event.statements} statement${event.statements === 1 ? '' : 's'})`)
        return
      case 'migration-applied':
        return done(true, `${would}applied ${event.version}_${event.name} (${event.statements} statement${event.statements === 1 ? '' : 's'}${would === '' ? `, ${event.executionMs} ms` : ''})`)
      case 'migration-reverted':
        return done(true, `${would}reverted ${event.version}_${event.name} (${event.statements} statement${event.statements === 1 ? '' : 's'}${would === '' ? `, ${event.executionMs} ms` : ''})`)
      case 'migration-failed':
        return done(false, `${event.version}_${event.name} failed${event.undone ? '; the database is as before it' : ''}`)
      case 'migration-skipped':
        return done(true, `skipped ${event.version}_${event.name}: ${event.reason}`)
      case 'migration-undone':
        return out.warn(`undid ${event.version}_${event.name}: ${event.reason}`)
      case 'statement':
        return out.debug(`  ${event.version}:${event.line} ${event.sql.replace(/\s+/g, ' ').slice(0, 160)}`)
      case 'check-passed':
        return out.debug(`  check-${event.phase} passed: ${event.sql}`)
      case 'check-failed':
        return out.warn(`check-${event.phase} failed: ${event.sql}`)
      case 'undo-statement':
        return out.warn(`  undo${event.index === undefined ? '' : ` #${event.index}`}: ${event.sql.replace(/\s+/g, ' ').slice(0, 160)}`)
      case 'log':
        return out.info(`  ${event.version}: ${event.message}`)
      case 'backfill':
        return renderBackfill(event.event)
      case 'lock-retry':
        return out.warn(`${event.version}_${event.name}: a table lock is busy; rolled back, retry ${event.attempt + 1}/${event.attempts} in ${event.delayMs} ms`)
      case 'pre-check':
        // A blocked run says why in its error; here only the sessions it went ahead despite.
        if (!event.blocked) for (const s of event.sessions) out.warn(`${event.version}_${event.name}: session ${s.pid} ${describeSession(s)}`)
        return
      case 'warning':
        return out.warn(`${event.version}_${event.name}: ${event.message}`)
      case 'dry-run-sql':
        return
    }
  }
}

function describeSession(s: SessionActivity): string {
  const age = s.transactionAgeMs === undefined ? '' : `, transaction open ${Math.round(s.transactionAgeMs / 1000)} s`
  const tables = s.tables === undefined || s.tables.length === 0 ? '' : ` ${s.waiting === true ? 'waits for' : 'holds'} a lock on ${s.tables.join(', ')}`
  return `(${s.state ?? 'session'}${age})${tables}: ${s.query}`
}
