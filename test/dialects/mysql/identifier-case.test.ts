import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { diff } from '../../../src/api/diff.js'
import type { DatabaseUrl } from '../../../src/config/url.js'
import { applyScript, createTestDatabase, mysqlServers, type TestDatabase } from '../../helpers/mysql.js'
import { mariadbdBinary, startMariadb, type ThrowawayMariadb } from '../../helpers/mariadb-server.js'
import { roundTrip } from './round-trip.js'

const { servers, skipped } = await mysqlServers()
for (const reason of skipped) describe.skip(reason, () => it('needs the server', () => {}))

/** Rows with NULLs, unicode, long strings and boundary numbers, so a drop + add would show. */
const SEED = `
INSERT INTO parent VALUES (1, 'a'), (2147483647, 'ü');
INSERT INTO child VALUES (1, 1, 'someone@example.com', -2147483648), (2, 2147483647, NULL, 0), (3, NULL, REPEAT('é', 300), NULL);
`
/** Aliased: a result column is named as the table spells it, and the spelling is what changes. */
const ROWS = ['SELECT id AS i, code AS c FROM parent ORDER BY id', 'SELECT id AS i, parent_id AS p, email AS e, score AS s FROM child ORDER BY id']

describe.each([...servers])('MySQL ($label): names that differ only in letter case', (server) => {
  namesDifferingInCase(() => server.url)
})

/**
 * lower_case_table_names is fixed when a server starts: each setting gets a throwaway MariaDB
 * server. Linux servers (case-sensitive file systems) turn 2 into 0; that run is skipped, saying so.
 */
const mariadbd = mariadbdBinary()
if (mariadbd === undefined) {
  if (process.env.CI === 'true') throw new Error('mariadbd is not installed: the lower_case_table_names runs need it')
  describe.skip('MariaDB lower_case_table_names 1 and 2 runs skipped: mariadbd is not installed', () => it('needs mariadbd', () => {}))
} else {
  for (const setting of [1, 2] as const) {
    const started = await startMariadb(setting)
    if (started.lowerCaseTableNames !== setting) {
      await started.stop()
      describe.skip(`MariaDB lower_case_table_names=${setting} runs skipped: the server reports ${started.lowerCaseTableNames} (a case-sensitive file system)`, () => it('needs the setting', () => {}))
      continue
    }
    describe(`MariaDB with lower_case_table_names=${setting}: names that differ only in letter case`, () => {
      const server: ThrowawayMariadb = started
      afterAll(async () => {
        await server.stop()
      })
      namesDifferingInCase(() => server.url)
      tableSpellingIsNoChange(() => server.url)
    })
  }
}

function namesDifferingInCase(serverUrl: () => DatabaseUrl): void {
  let live: TestDatabase
  beforeAll(async () => {
    live = await createTestDatabase('idcase', serverUrl())
  })
  afterAll(async () => {
    await live?.drop()
  })

  it('a column spelled differently is renamed in place, never dropped and added', async () => {
    const { sql, downSql, outcome } = await roundTrip(live, {
      current: `CREATE TABLE parent (id int PRIMARY KEY, code varchar(10));
        CREATE TABLE child (id int PRIMARY KEY, parent_id int, email varchar(400), score int, KEY idx_email (email(20)),
          CONSTRAINT fk_parent FOREIGN KEY (parent_id) REFERENCES parent (id));${SEED}`,
      desired: `CREATE TABLE parent (ID int PRIMARY KEY, code varchar(10));
        CREATE TABLE child (id int PRIMARY KEY, parent_id int, Email varchar(400), score int, KEY idx_email (EMAIL(20)),
          CONSTRAINT fk_parent FOREIGN KEY (Parent_ID) REFERENCES parent (id));`,
      rows: ROWS,
    })
    expect([...sql].sort()).toEqual(['ALTER TABLE `child` RENAME COLUMN `email` TO `Email`', 'ALTER TABLE `parent` RENAME COLUMN `id` TO `ID`'])
    expect(sql.join('\n')).not.toMatch(/DROP|ADD/)
    expect(downSql).toHaveLength(2)
    expect(downSql.join('\n')).not.toMatch(/DROP|ADD/)
    // Queries find the columns under either spelling, but result rows carry the new one: BC101 warns.
    expect(outcome.lint.findings.map((f) => `${f.code} ${f.severity}`)).toEqual(['BC101 warning', 'BC101 warning'])
  })

  it('an index spelled differently is renamed; a constraint is recreated under the new spelling', async () => {
    const { sql } = await roundTrip(live, {
      current: `CREATE TABLE parent (id int PRIMARY KEY, code varchar(10));
        CREATE TABLE child (id int PRIMARY KEY, parent_id int, email varchar(400), score int, KEY idx_email (email(20)),
          CONSTRAINT fk_parent FOREIGN KEY (parent_id) REFERENCES parent (id), CONSTRAINT ck_score CHECK (score <> 1));${SEED}`,
      desired: `CREATE TABLE parent (id int PRIMARY KEY, code varchar(10));
        CREATE TABLE child (id int PRIMARY KEY, parent_id int, email varchar(400), score int, KEY IDX_Email (email(20)),
          CONSTRAINT FK_Parent FOREIGN KEY (parent_id) REFERENCES parent (id), CONSTRAINT ck_score CHECK (score <> 1));`,
      rows: ROWS,
    })
    expect(sql).toContain('ALTER TABLE `child` RENAME INDEX `idx_email` TO `IDX_Email`')
    expect(sql).toContain('ALTER TABLE `child` DROP FOREIGN KEY `fk_parent`')
    expect(sql.filter((s) => /ADD CONSTRAINT `FK_Parent` FOREIGN KEY/.test(s))).toHaveLength(1)
    expect(sql.join('\n')).not.toMatch(/DROP (COLUMN|INDEX|TABLE)|ck_score/)
  })

  it('a table spelled differently: one table where the server folds or compares case-insensitively, a declared RENAME TABLE where it does not', async () => {
    const caseSensitive = live.driver.flavor.tableNameCase === 'sensitive'
    const { sql, outcome } = await roundTrip(live, {
      current: `CREATE TABLE parent (id int PRIMARY KEY, code varchar(10));
        CREATE TABLE child (id int PRIMARY KEY, parent_id int, email varchar(400), score int,
          CONSTRAINT fk_parent FOREIGN KEY (parent_id) REFERENCES parent (id));${SEED}`,
      desired: `${caseSensitive ? '-- migrator:rename table parent to Parent\n' : ''}CREATE TABLE Parent (id int PRIMARY KEY, code varchar(10));
        CREATE TABLE child (id int PRIMARY KEY, parent_id int, email varchar(400), score int,
          CONSTRAINT fk_parent FOREIGN KEY (parent_id) REFERENCES Parent (id));
        ALTER TABLE Parent ADD COLUMN note varchar(5) NULL;`,
      rows: ROWS,
      rowsUp: [ROWS[0]!.replace('parent', 'Parent'), ROWS[1]!],
    })
    expect(sql.join('\n')).not.toMatch(/DROP TABLE|CREATE TABLE/)
    expect(outcome.renameCandidates).toEqual([])
    if (live.driver.flavor.tableNameCase === 'folding') expect(sql.some((s) => s.startsWith('RENAME TABLE'))).toBe(false)
    else expect(sql).toContain('RENAME TABLE `parent` TO `Parent`')
  })
}

/**
 * Where table names compare case-insensitively: a target spelling the live `users` as `Users`, or
 * declaring a case-only rename of it, is no change where the server folds names (=1); where it keeps
 * the spelling (=2) the table is renamed to the declared one (the column-case round trips above
 * cover the data).
 */
function tableSpellingIsNoChange(serverUrl: () => DatabaseUrl): void {
  let live: TestDatabase
  let work: string
  beforeAll(async () => {
    live = await createTestDatabase('idcase_nc', serverUrl())
    work = await mkdtemp(path.join(os.tmpdir(), 'migrator-mysql-idcase-'))
  })
  afterAll(async () => {
    if (work !== undefined) await rm(work, { recursive: true, force: true })
    await live?.drop()
  })

  it('a target CREATE TABLE Users against the live users, with or without a declared case-only rename', async () => {
    await applyScript(live.driver, `CREATE TABLE users (id int PRIMARY KEY, name varchar(20)); INSERT INTO users VALUES (1, 'ü'), (2, NULL);`)
    const config = {
      cwd: work, url: live.url.raw, dir: path.join(work, 'migrations'), target: path.join(work, 'schema.sql'),
      historyTable: 'migrator_history', lockTimeoutMs: 5000, lockWaitMs: 10_000,
    }
    const folding = live.driver.flavor.tableNameCase === 'folding'
    for (const target of ['CREATE TABLE Users (id int PRIMARY KEY, name varchar(20));', '-- migrator:rename table users to Users\nCREATE TABLE Users (id int PRIMARY KEY, name varchar(20));']) {
      await writeFile(config.target, target)
      const sql = (await diff(config, { dryRun: true })).plan.statements.map((st) => st.sql)
      expect(sql, target).toEqual(folding ? [] : ['RENAME TABLE `users` TO `Users`'])
    }
    expect(await live.driver.db.query('SELECT id, name FROM users ORDER BY id')).toEqual([{ id: 1, name: 'ü' }, { id: 2, name: null }])
  })
}
