import { describe, expect, it } from 'vitest'
import { detectFlavor } from '../../../src/dialects/mysql/flavor.js'
import { normalizeDefault, normalizeType, stripQualifier } from '../../../src/dialects/mysql/normalize.js'
import { plan } from '../../../src/dialects/mysql/plan.js'
import type { Change } from '../../../src/schema/changes.js'
import type { Column, Table } from '../../../src/schema/model.js'

// Pure checks of the MySQL 8 paths that the local MariaDB server cannot exercise.
const mysql8 = detectFlavor('8.0.36')
const mysql57 = detectFlavor('5.7.44-log')
const maria = detectFlavor('10.11.19-MariaDB-0+deb12u1')

const table = (columns: Column[]): Table => ({ name: 't', columns, indexes: [], uniques: [], foreignKeys: [], checks: [], options: {} })

describe('mysql flavor predicates', () => {
  it('detects flavor and version from SELECT VERSION()', () => {
    expect(maria).toMatchObject({ mariadb: true, version: [10, 11, 19], label: 'MariaDB 10.11.19', invisibleIndexKeyword: 'IGNORED' })
    expect(mysql8).toMatchObject({ mariadb: false, label: 'MySQL 8.0.36', invisibleIndexKeyword: 'INVISIBLE', dropCheckKeyword: 'CHECK' })
    expect(mysql57.supportsRenameColumn).toBe(false)
    expect(mysql57.supportsCheckConstraints).toBe(false)
    expect(detectFlavor('10.4.32-MariaDB').supportsRenameColumn).toBe(false)
    expect(detectFlavor('10.5.2-MariaDB').supportsRenameColumn).toBe(true)
  })
})

describe('mysql normal form', () => {
  it('drops ignored display widths but keeps tinyint(1), ZEROFILL widths and ENUM value case', () => {
    expect(normalizeType('int(11)')).toBe('int')
    expect(normalizeType('INT(10) UNSIGNED')).toBe('int unsigned')
    expect(normalizeType('bigint(20)')).toBe('bigint')
    expect(normalizeType('tinyint(1)')).toBe('tinyint(1)')
    expect(normalizeType('tinyint(4)')).toBe('tinyint')
    expect(normalizeType('int(10) unsigned zerofill')).toBe('int(10) unsigned zerofill')
    expect(normalizeType('year(4)')).toBe('year')
    expect(normalizeType("ENUM('G','PG-13')")).toBe("enum('G','PG-13')")
  })

  it('brings MariaDB and MySQL defaults to one form', () => {
    expect(normalizeDefault("'abc'", 'varchar', '', maria)).toBe("'abc'")
    expect(normalizeDefault('abc', 'varchar', '', mysql8)).toBe("'abc'")
    expect(normalizeDefault("it's", 'varchar', '', mysql8)).toBe("'it''s'")
    expect(normalizeDefault('NULL', 'varchar', '', maria)).toBeUndefined()
    expect(normalizeDefault(null, 'varchar', '', mysql8)).toBeUndefined()
    expect(normalizeDefault('current_timestamp()', 'timestamp', 'on update current_timestamp()', maria)).toBe('CURRENT_TIMESTAMP')
    expect(normalizeDefault('CURRENT_TIMESTAMP', 'timestamp', 'DEFAULT_GENERATED', mysql8)).toBe('CURRENT_TIMESTAMP')
    expect(normalizeDefault('current_timestamp(3)', 'datetime', '', maria)).toBe('CURRENT_TIMESTAMP(3)')
    expect(normalizeDefault('CURRENT_TIMESTAMP(3)', 'datetime', 'DEFAULT_GENERATED', mysql8)).toBe('CURRENT_TIMESTAMP(3)')
    expect(normalizeDefault('0', 'int', '', mysql8)).toBe('0')
    expect(normalizeDefault('uuid()', 'varchar', 'DEFAULT_GENERATED', mysql8)).toBe('uuid()')
    expect(normalizeDefault("_utf8mb4\\'x\\'", 'text', 'DEFAULT_GENERATED', mysql8)).toBe("_utf8mb4'x'")
  })

  it('strips only the given database qualifier from view text', () => {
    expect(stripQualifier('select `db`.`t`.`a` AS `a` from `db`.`t` join `other`.`u`', 'db')).toBe(
      'select `t`.`a` AS `a` from `t` join `other`.`u`',
    )
  })
})

describe('mysql plan per flavor', () => {
  const qty: Column = { name: 'qty', type: 'int', nullable: true }
  const t = table([qty])

  it('drops a CHECK with DROP CHECK on MySQL and DROP CONSTRAINT on MariaDB', () => {
    const change: Change = { kind: 'alterTable', from: t, to: t, changes: [{ kind: 'dropCheck', check: { name: 'c1', expression: '`qty` > 0' } }] }
    expect(plan([change], mysql8).statements[0]?.sql).toBe('ALTER TABLE `t` DROP CHECK `c1`')
    expect(plan([change], maria).statements[0]?.sql).toBe('ALTER TABLE `t` DROP CONSTRAINT `c1`')
    expect(plan([change], maria).statements[0]?.reverse).toEqual(['ALTER TABLE `t` ADD CONSTRAINT `c1` CHECK (`qty` > 0)'])
  })

  it('renames a column with CHANGE where RENAME COLUMN is missing', () => {
    const change: Change = {
      kind: 'alterTable',
      from: t,
      to: table([{ ...qty, name: 'n' }]),
      changes: [{ kind: 'renameColumn', from: qty, to: { ...qty, name: 'n' } }],
    }
    expect(plan([change], mysql57).statements[0]).toMatchObject({
      sql: 'ALTER TABLE `t` CHANGE COLUMN `qty` `n` int NULL',
      reverse: ['ALTER TABLE `t` CHANGE COLUMN `n` `qty` int NULL'],
    })
    expect(plan([change], mysql8).statements[0]?.sql).toBe('ALTER TABLE `t` RENAME COLUMN `qty` TO `n`')
  })

  it('writes invisible indexes and TEXT literal defaults the way each flavor accepts', () => {
    const index = { name: 'i', parts: [{ column: 'qty' }], unique: false, options: { invisible: true } }
    const addIndex: Change = { kind: 'alterTable', from: t, to: t, changes: [{ kind: 'addIndex', index }] }
    expect(plan([addIndex], mysql8).statements[0]?.sql).toBe('ALTER TABLE `t` ADD INDEX `i` (`qty`) INVISIBLE')
    expect(plan([addIndex], maria).statements[0]?.sql).toBe('ALTER TABLE `t` ADD INDEX `i` (`qty`) IGNORED')
    const note: Column = { name: 'note', type: 'text', nullable: true, default: "'x'" }
    const addColumn: Change = { kind: 'alterTable', from: t, to: table([qty, note]), changes: [{ kind: 'addColumn', column: note }] }
    expect(plan([addColumn], mysql8).statements[0]?.sql).toBe("ALTER TABLE `t` ADD COLUMN `note` text NULL DEFAULT ('x') AFTER `qty`")
    expect(plan([addColumn], maria).statements[0]?.sql).toBe("ALTER TABLE `t` ADD COLUMN `note` text NULL DEFAULT 'x' AFTER `qty`")
  })

  it('flags drops as data loss and escapes identifiers', () => {
    const odd = table([{ name: 'we`ird', type: 'int', nullable: false }])
    const [statement] = plan([{ kind: 'dropTable', table: { ...odd, name: 'x`y' } }], maria).statements
    expect(statement?.sql).toBe('DROP TABLE `x``y`')
    expect(statement?.risks).toEqual(['data-loss'])
    expect(statement?.reverse).toEqual(['CREATE TABLE `x``y` (\n  `we``ird` int NOT NULL\n)'])
  })
})
