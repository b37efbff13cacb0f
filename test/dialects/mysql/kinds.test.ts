import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, mysqlServers, type TestDatabase } from '../../helpers/mysql.js'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { diff } from '../../../src/api/diff.js'
import { configIn, roundTrip } from './round-trip.js'

const { servers, skipped } = await mysqlServers()
for (const reason of skipped) describe.skip(reason, () => it('needs the server', () => {}))

/** Rows with NULLs, unicode, long strings and boundary numbers, compared value by value. */
const T = 'CREATE TABLE t (id int NOT NULL, a int NULL, b varchar(300) NULL, PRIMARY KEY (id))'
const SEED = "INSERT INTO t (id, a, b) VALUES (1, 2147483647, 'ü✓'), (2, NULL, NULL), (3, -2147483648, REPEAT('z', 300)), (4, 0, '');\n"
const ROWS = ['SELECT id, a, b FROM t ORDER BY id']

describe.each([...servers])('MySQL ($label): more object kinds end to end', (server) => {
  let live: TestDatabase
  beforeAll(async () => {
    live = await createTestDatabase('kinds', server.url)
  })
  afterAll(async () => {
    await live?.drop()
  })

  it('generated column VIRTUAL → STORED', async () => {
    const { sql } = await roundTrip(live, {
      current: `${T.replace(/\)$/, ', g bigint AS (a * 2) VIRTUAL, KEY ix_g (g))')};${SEED}`,
      desired: `${T.replace(/\)$/, ', g bigint AS (a * 2) STORED, KEY ix_g (g))')};`,
      rows: [...ROWS, 'SELECT id, g FROM t ORDER BY id'],
    })
    expect(sql).toEqual(['ALTER TABLE `t` DROP INDEX `ix_g`, DROP COLUMN `g`, ADD COLUMN `g` bigint GENERATED ALWAYS AS (`a` * 2) STORED AFTER `b`, ADD INDEX `ix_g` (`g`)'])
  })

  it('regular column → generated: values the expression replaces are a counted data loss (consent), the rest kept', async () => {
    const { sql, outcome } = await roundTrip(live, {
      current: `${T.replace(/\)$/, ', g bigint NULL)')};${SEED}UPDATE t SET g = a * 2;\nUPDATE t SET g = 99 WHERE id = 4;\n`,
      desired: `${T.replace(/\)$/, ', g bigint AS (a * 2) STORED)')};`,
      rows: [...ROWS, 'SELECT id, g FROM t ORDER BY id'],
      refusedWithoutConsent: /refusing to apply: it would destroy stored data: t\.g \(1 value\): converts bigint to bigint GENERATED ALWAYS AS \(`a` \* 2\)/,
      upOptions: { allowDataLoss: true },
      rowsAfterUp: [
        [{ id: 1, a: 2147483647, b: 'ü✓' }, { id: 2, a: null, b: null }, { id: 3, a: -2147483648, b: 'z'.repeat(300) }, { id: 4, a: 0, b: '' }],
        [{ id: 1, g: 4294967294 }, { id: 2, g: null }, { id: 3, g: -4294967296 }, { id: 4, g: 0 }],
      ],
      // The down makes g a regular column again, holding the computed values (99 is gone).
      rowsLost: true,
    })
    expect(sql).toEqual(['ALTER TABLE `t` MODIFY COLUMN `g` bigint GENERATED ALWAYS AS (`a` * 2) STORED'])
    expect(outcome.lint.findings.filter((f) => f.code === 'MF104').map((f) => [f.severity, f.rows])).toEqual([['error', 1]])
  })

  it('regular column → VIRTUAL generated (through STORED) and back (values kept on the way back)', async () => {
    const { sql, downSql } = await roundTrip(live, {
      current: `${T.replace(/\)$/, ', g bigint NULL, KEY ix_g (g))')};${SEED}UPDATE t SET g = a * 2;\n`,
      desired: `${T.replace(/\)$/, ', g bigint AS (a * 2) VIRTUAL, KEY ix_g (g))')};`,
      rows: [...ROWS, 'SELECT id, g FROM t ORDER BY id'],
    })
    expect(sql).toEqual([
      'ALTER TABLE `t` MODIFY COLUMN `g` bigint GENERATED ALWAYS AS (`a` * 2) STORED',
      'ALTER TABLE `t` DROP INDEX `ix_g`, DROP COLUMN `g`, ADD COLUMN `g` bigint GENERATED ALWAYS AS (`a` * 2) VIRTUAL AFTER `b`, ADD INDEX `ix_g` (`g`)',
    ])
    expect(downSql).toEqual([
      'ALTER TABLE `t` DROP INDEX `ix_g`, DROP COLUMN `g`, ADD COLUMN `g` bigint GENERATED ALWAYS AS (`a` * 2) STORED AFTER `b`, ADD INDEX `ix_g` (`g`)',
      'ALTER TABLE `t` MODIFY COLUMN `g` bigint NULL',
    ])
  })

  it('AUTO_INCREMENT primary key: added to an existing key column, then extended to bigint', async () => {
    const added = await roundTrip(live, {
      current: `${T};${SEED}`,
      desired: `${T.replace('id int NOT NULL', 'id int NOT NULL AUTO_INCREMENT')};`,
      rows: ROWS,
    })
    expect(added.sql).toEqual(['ALTER TABLE `t` MODIFY COLUMN `id` int NOT NULL AUTO_INCREMENT'])
    const extended = await roundTrip(live, {
      current: `${T.replace('id int NOT NULL', 'id int NOT NULL AUTO_INCREMENT')};${SEED}`,
      desired: `${T.replace('id int NOT NULL', 'id bigint unsigned NOT NULL AUTO_INCREMENT')};`,
      rows: ROWS,
    })
    expect(extended.sql).toEqual(['ALTER TABLE `t` MODIFY COLUMN `id` bigint unsigned NOT NULL AUTO_INCREMENT'])
  })

  it('AUTO_INCREMENT primary key moved to a new column (old key dropped, MariaDB rules)', async () => {
    const { sql, downSql } = await roundTrip(live, {
      current: `CREATE TABLE t (code varchar(10) NOT NULL, a int NULL, PRIMARY KEY (code));
        INSERT INTO t VALUES ('x', 1), ('ü', NULL);`,
      desired: 'CREATE TABLE t (id int NOT NULL AUTO_INCREMENT, code varchar(10) NOT NULL, a int NULL, PRIMARY KEY (id), UNIQUE KEY uq_code (code));',
      rows: ['SELECT code, a FROM t ORDER BY code'],
      downDropsValues: true,
    })
    expect(sql).toEqual([
      'ALTER TABLE `t` DROP PRIMARY KEY, ADD COLUMN `id` int NOT NULL AUTO_INCREMENT FIRST, ADD PRIMARY KEY (`id`)',
      'ALTER TABLE `t` ADD UNIQUE INDEX `uq_code` (`code`)',
    ])
    expect(downSql).toEqual(['ALTER TABLE `t` DROP INDEX `uq_code`', 'ALTER TABLE `t` DROP PRIMARY KEY, DROP COLUMN `id`, ADD PRIMARY KEY (`code`)'])
  })

  it('AUTO_INCREMENT primary key extended with a second column: one statement, the counter never keyless', async () => {
    const seed = "INSERT INTO t (id, a, b) VALUES (1, 2147483647, 'ü✓'), (3, -2147483648, NULL), (4, 0, '');\n"
    const { sql } = await roundTrip(live, {
      current: `${T.replace('id int NOT NULL', 'id int NOT NULL AUTO_INCREMENT')};${seed}`,
      desired: `${T.replace('id int NOT NULL', 'id int NOT NULL AUTO_INCREMENT').replace('a int NULL', 'a int NOT NULL').replace('PRIMARY KEY (id)', 'PRIMARY KEY (id, a)')};`,
      rows: ROWS,
    })
    expect(sql).toEqual(['ALTER TABLE `t` MODIFY COLUMN `a` int NOT NULL', 'ALTER TABLE `t` DROP PRIMARY KEY, ADD PRIMARY KEY (`id`, `a`)'])
  })

  it('several FKs referencing a table whose key changes are dropped first and recreated after', async () => {
    const parent = (key: string) => `CREATE TABLE p (id int NOT NULL, k int NOT NULL, ${key});`
    const child = (n: string) => `CREATE TABLE ${n} (id int PRIMARY KEY, p_id int NULL, CONSTRAINT fk_${n} FOREIGN KEY (p_id) REFERENCES p (id));`
    const { sql } = await roundTrip(live, {
      current: `${parent('PRIMARY KEY (id)')}${child('c1')}${child('c2')}${child('c3')}
        INSERT INTO p VALUES (1, 10), (2, 20); INSERT INTO c1 VALUES (1, 1), (2, NULL); INSERT INTO c2 VALUES (1, 2); INSERT INTO c3 VALUES (5, 1);`,
      desired: `${parent('PRIMARY KEY (id, k), UNIQUE KEY uq_id (id)')}${child('c1')}${child('c2')}${child('c3')}`,
      rows: ['SELECT * FROM p ORDER BY id', 'SELECT * FROM c1 ORDER BY id', 'SELECT * FROM c2 ORDER BY id', 'SELECT * FROM c3 ORDER BY id'],
    })
    expect(sql).toEqual(['ALTER TABLE `p` DROP PRIMARY KEY, ADD PRIMARY KEY (`id`, `k`), ADD UNIQUE INDEX `uq_id` (`id`)'])
  })

  it('a referenced key column changing type: the FKs are dropped first and added again after every table changed', async () => {
    const child = (n: string, type: string) => `CREATE TABLE ${n} (id int PRIMARY KEY, p_id ${type} NULL, CONSTRAINT fk_${n} FOREIGN KEY (p_id) REFERENCES p (id) ON DELETE CASCADE);`
    const { sql } = await roundTrip(live, {
      current: `CREATE TABLE p (id int NOT NULL PRIMARY KEY, k int);${child('c1', 'int')}${child('c2', 'int')}
        INSERT INTO p VALUES (1, 10), (2147483647, NULL); INSERT INTO c1 VALUES (1, 1), (2, NULL); INSERT INTO c2 VALUES (1, 2147483647);`,
      desired: `CREATE TABLE p (id bigint NOT NULL PRIMARY KEY, k int);${child('c1', 'bigint')}${child('c2', 'bigint')}${child('c3', 'bigint')}`,
      rows: ['SELECT * FROM p ORDER BY id', 'SELECT * FROM c1 ORDER BY id', 'SELECT * FROM c2 ORDER BY id'],
    })
    expect(sql).toEqual([
      'ALTER TABLE `c1` DROP FOREIGN KEY `fk_c1`',
      'ALTER TABLE `c2` DROP FOREIGN KEY `fk_c2`',
      // A new table referencing the retyped key gets its FK once the key has its new type.
      'CREATE TABLE `c3` (\n  `id` int NOT NULL,\n  `p_id` bigint NULL,\n  PRIMARY KEY (`id`),\n  INDEX `fk_c3` (`p_id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci',
      'ALTER TABLE `c1` MODIFY COLUMN `p_id` bigint NULL',
      'ALTER TABLE `c2` MODIFY COLUMN `p_id` bigint NULL',
      'ALTER TABLE `p` MODIFY COLUMN `id` bigint NOT NULL',
      'ALTER TABLE `c1` ADD CONSTRAINT `fk_c1` FOREIGN KEY (`p_id`) REFERENCES `p` (`id`) ON DELETE CASCADE ON UPDATE RESTRICT',
      'ALTER TABLE `c2` ADD CONSTRAINT `fk_c2` FOREIGN KEY (`p_id`) REFERENCES `p` (`id`) ON DELETE CASCADE ON UPDATE RESTRICT',
      'ALTER TABLE `c3` ADD CONSTRAINT `fk_c3` FOREIGN KEY (`p_id`) REFERENCES `p` (`id`) ON DELETE CASCADE ON UPDATE RESTRICT',
    ])
  })

  it('table options: ROW_FORMAT/KEY_BLOCK_SIZE and comments next to defaults are changed; a table AUTO_INCREMENT counter is not drift', async () => {
    const { sql, downSql } = await roundTrip(live, {
      current: `${T} ENGINE=InnoDB AUTO_INCREMENT=1000;${SEED}`,
      desired: `${T.replace('a int NULL', "a int NULL DEFAULT 7 COMMENT 'default ''7'''")} ENGINE=InnoDB ROW_FORMAT=COMPRESSED KEY_BLOCK_SIZE=8 COMMENT='t''s comment';`,
      rows: ROWS,
    })
    expect(sql).toEqual([
      "ALTER TABLE `t` MODIFY COLUMN `a` int NULL DEFAULT 7 COMMENT 'default ''7'''",
      "ALTER TABLE `t` COMMENT = 't''s comment'",
      'ALTER TABLE `t` ROW_FORMAT=COMPRESSED, KEY_BLOCK_SIZE=8',
    ])
    expect(downSql).toEqual(['ALTER TABLE `t` ROW_FORMAT=DEFAULT, KEY_BLOCK_SIZE=0', "ALTER TABLE `t` COMMENT = ''", 'ALTER TABLE `t` MODIFY COLUMN `a` int NULL'])
  })

  it('a trigger whose body uses reserved words as column names', async () => {
    const table = 'CREATE TABLE r (id int PRIMARY KEY, `order` int NULL, `key` varchar(10) NULL, `select` int NULL);'
    const { sql } = await roundTrip(live, {
      current: `${table} INSERT INTO r VALUES (1, 2, 'k', NULL);`,
      desired: `${table}
        CREATE TRIGGER r_bi BEFORE INSERT ON r FOR EACH ROW BEGIN
          SET NEW.\`order\` = COALESCE(NEW.\`order\`, 0) + 1;
          IF NEW.\`key\` IS NULL THEN SET NEW.\`key\` = 'none'; END IF;
          SET NEW.\`select\` = NEW.\`order\`;
        END;`,
      rows: ['SELECT * FROM r ORDER BY id'],
    })
    expect(sql).toHaveLength(1)
  })

  it('a USE line naming the database itself is ignored', async () => {
    const { sql } = await roundTrip(live, {
      current: `${T};${SEED}`,
      desired: `USE \`${live.name}\`;\n${T.replace('b varchar(300) NULL', 'b varchar(300) NULL, c int NULL')};`,
      rows: ROWS,
    })
    expect(sql).toEqual(['ALTER TABLE `t` ADD COLUMN `c` int NULL AFTER `b`'])
  })

  it('a USE line naming another database is an error naming it, and nothing is created there', async () => {
    const other = await createTestDatabase('kinds_other', server.url)
    const work = await mkdtemp(path.join(os.tmpdir(), 'migrator-mysql-use-'))
    try {
      const config = configIn(work, live)
      await writeFile(config.target!, `CREATE TABLE t (id int PRIMARY KEY);\nUSE ${other.name};\nCREATE TABLE u (id int PRIMARY KEY);\n`)
      await expect(diff(config, { dryRun: true })).rejects.toThrow(
        `schema.sql:2: \`USE ${other.name}\` switches to database ${other.name}, but the target describes database ${live.name}; remove the line`,
      )
      expect((await other.driver.inspect()).tables).toEqual([])
    } finally {
      await rm(work, { recursive: true, force: true })
      await other.drop()
    }
  })

  it('MariaDB sequences: created, changed in place (the next value kept), dropped', async (context) => {
    if (!live.driver.flavor.mariadb) context.skip()
    const created = await roundTrip(live, {
      current: `${T};${SEED}`,
      desired: `${T};\nCREATE SEQUENCE s START WITH 100 INCREMENT BY 5 MINVALUE 1 MAXVALUE 100000 CACHE 10 CYCLE;`,
      rows: ROWS,
    })
    expect(created.sql).toEqual(['CREATE SEQUENCE `s` START WITH 100 MINVALUE 1 MAXVALUE 100000 INCREMENT BY 5 CACHE 10 CYCLE'])
    expect(created.downSql).toEqual(['DROP SEQUENCE `s`'])
    const changed = await roundTrip(live, {
      // A table default uses the sequence: it exists before the table and goes after it.
      current: `CREATE SEQUENCE s START WITH 100 INCREMENT BY 5;\n${T.replace('a int NULL', 'a int NULL DEFAULT (NEXT VALUE FOR s)')};${SEED}SELECT NEXT VALUE FOR s;`,
      desired: `CREATE SEQUENCE s START WITH 100 INCREMENT BY 10 NOCACHE;\n${T.replace('a int NULL', 'a int NULL DEFAULT (NEXT VALUE FOR s)')};`,
      rows: [...ROWS, 'SELECT next_not_cached_value AS next FROM s'],
    })
    expect(changed.sql).toEqual(['ALTER SEQUENCE `s` START WITH 100 MINVALUE 1 MAXVALUE 9223372036854775806 INCREMENT BY 10 NOCACHE NOCYCLE'])
    const dropped = await roundTrip(live, {
      current: `${T};${SEED}CREATE SEQUENCE s;`,
      desired: `${T};`,
      rows: ROWS,
    })
    expect(dropped.sql).toEqual(['DROP SEQUENCE `s`'])
    expect(dropped.outcome.lint.findings.map((f) => f.code)).toContain('DS104')
  })
})
