import { parentPort, workerData } from 'node:worker_threads'
import { openDriver } from '../dialects/registry.js'
import { digest, type Digest, type DigestJob } from './proof.js'

/** One side of the proof (proof.ts): opens its own connection, digests every table, posts the results. */
const job = workerData as DigestJob
const driver = await openDriver(job.url, { readOnly: true })
try {
  await driver.copy.prepareSession(driver.db, 'source')
  const digests: Digest[] = []
  for (const table of job.tables) {
    const where = job.side === 'source' ? table.source : table.target
    const types = table.columns.map((c) => (job.side === 'source' ? c.source : c.target))
    digests.push(await digest({ driver, table: where, types }, table, job.batch))
  }
  parentPort?.postMessage(digests)
} finally {
  await driver.close()
}
