// Runs one backfill and prints each event as a JSON line; the kill-and-resume test SIGKILLs it midway.
// Usage: node --import jiti/register test/backfill/child.ts <url> <table> <batch> <sleepMs>
import { parseUrl } from '../../src/config/url.js'
import { openDriver } from '../../src/dialects/registry.js'
import { runBackfill } from '../../src/backfill/run.js'

const [url = '', table = 'items', batch = '1000', sleepMs = '0'] = process.argv.slice(2)
const driver = await openDriver(parseUrl(url))
try {
  await runBackfill(
    driver,
    { table, set: `${driver.quoteIdent('name')} = upper(${driver.quoteIdent('email')})`, where: `${driver.quoteIdent('name')} IS NULL`, batch: Number(batch) },
    { sleepMs: Number(sleepMs), onEvent: (event) => process.stdout.write(`${JSON.stringify(event)}\n`) },
  )
} finally {
  await driver.close()
}
