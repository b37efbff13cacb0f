import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ScratchDriver } from '../../../src/dialects/dialect.js'
import type { MysqlDriver } from '../../../src/dialects/mysql/index.js'
import { diffSchemas } from '../../../src/schema/diff.js'
import { emptySchema } from '../../../src/schema/model.js'
import { corpusFile, describeCorpus } from '../../helpers/corpus.js'
import { applyScript, createTestDatabase, mysqlServers, type MysqlServer, type TestDatabase } from '../../helpers/mysql.js'

const OWN = path.resolve(import.meta.dirname, '../../fixtures/mysql')
const { servers, skipped } = await mysqlServers()
for (const reason of skipped) describe.skip(reason, () => it('needs the server', () => {}))

/** Each file: empty → target → empty, and the generated files split back into the same statements. */
function roundTrips(server: MysqlServer, files: readonly string[]): void {
  let live: TestDatabase

  beforeAll(async () => {
    live = await createTestDatabase('roundtrip', server.url)
  })

  afterAll(async () => {
    await live?.drop()
  })

  for (const file of files) {
    it(path.basename(file), async () => {
      const driver = live.driver
      // The target is normalized on a scratch database of the same server, as `diff` does it.
      const scratch: ScratchDriver = await driver.openScratch()
      let desired
      try {
        const database = (scratch as unknown as MysqlDriver).database
        let sql = readFileSync(file, 'utf8')
        // sakila's actor_info view hard-codes `sakila.` (corpus README).
        if (path.basename(file) === 'sakila.sql') sql = sql.replace(/\bsakila\./g, `${database}.`)
        await applyScript(scratch as unknown as MysqlDriver, sql)
        desired = await scratch.inspect()
      } finally {
        await scratch.drop()
      }

      expect(await driver.inspect()).toEqual(emptySchema)
      const options = { capabilities: driver.capabilities }
      const plan = driver.plan(diffSchemas(emptySchema, desired, options).changes)
      expect(plan.statements.length).toBeGreaterThanOrEqual(desired.tables.length + desired.views.length + desired.objects.length)
      // A generated migration file (statements joined with `;`) splits back into the same statements.
      const forward = plan.statements.map((st) => st.sql)
      expect(driver.splitStatements(forward.map((sql) => `${sql};`).join('\n\n')).map((st) => st.sql)).toEqual(forward)
      const backward = [...plan.statements].reverse().flatMap((st) => st.reverse)
      expect(driver.splitStatements(backward.map((sql) => `${sql};`).join('\n')).map((st) => st.sql)).toEqual(backward)

      for (const statement of plan.statements) await driver.db.exec(statement.sql)

      const after = await driver.inspect()
      expect(after).toEqual(desired)
      expect(diffSchemas(after, desired, options).changes).toEqual([])

      for (const statement of [...plan.statements].reverse()) {
        for (const reverse of statement.reverse) await driver.db.exec(reverse)
      }
      expect(await driver.inspect()).toEqual(emptySchema)

      // And a diff from the full schema back to empty drops everything in a working order.
      for (const statement of plan.statements) await driver.db.exec(statement.sql)
      const teardown = driver.plan(diffSchemas(await driver.inspect(), emptySchema, options).changes)
      for (const statement of teardown.statements) await driver.db.exec(statement.sql)
      expect(await driver.inspect()).toEqual(emptySchema)
    })
  }
}

describe.each([...servers])('mysql fixture round trips on the project fixtures on $label', (server) => roundTrips(server, [path.join(OWN, 'shop.sql')]))
describeCorpus('mysql fixture round trips on the real-world corpus', () => {
  describe.each([...servers])('on $label', (server) =>
    roundTrips(server, ['sakila.sql', 'chinook.sql', 'ambari.sql', 'temporal.sql'].map((file) => corpusFile('mysql', file))),
  )
})
