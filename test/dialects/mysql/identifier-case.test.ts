import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, mysqlServers, type TestDatabase } from '../../helpers/mysql.js'
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
  let live: TestDatabase
  beforeAll(async () => {
    live = await createTestDatabase('idcase', server.url)
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
})
