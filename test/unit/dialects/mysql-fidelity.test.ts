import { describe, expect, it } from 'vitest'
import { statementTookEffect } from '../../../src/dialects/mysql/effects.js'
import { alterEvent, parseEvents } from '../../../src/dialects/mysql/events.js'
import { detectFlavor } from '../../../src/dialects/mysql/flavor.js'
import { partitionOptions, partitionRowLosses, partitionSteps } from '../../../src/dialects/mysql/partitions.js'
import { useStatement } from '../../../src/dialects/mysql/use.js'
import type { Table } from '../../../src/schema/model.js'

// Pure checks of the paths the local MariaDB server (lower_case_table_names=0) cannot exercise.
describe('mysql flavor: table name case and replica-disabled events', () => {
  it('reads lower_case_table_names into the tables name case', () => {
    expect(detectFlavor('8.0.36', undefined, 0).tableNameCase).toBe('sensitive')
    expect(detectFlavor('8.0.36', undefined, 1).tableNameCase).toBe('folding')
    expect(detectFlavor('10.11.19-MariaDB', undefined, 2).tableNameCase).toBe('preserving')
    expect(detectFlavor('8.0.36').eventReplicaDisable).toBe('DISABLE ON REPLICA')
    expect(detectFlavor('8.0.21').eventReplicaDisable).toBe('DISABLE ON SLAVE')
    expect(detectFlavor('10.11.19-MariaDB').eventReplicaDisable).toBe('DISABLE ON SLAVE')
  })
})

describe('mysql events', () => {
  const row = { name: 'e', body: 'DELETE FROM t', type: 'RECURRING', executeAt: null, intervalValue: '1', intervalField: 'DAY', starts: '2030-01-01 00:00:00', ends: null, startsImplied: 0, status: 'REPLICA_SIDE_DISABLED', onCompletion: 'NOT PRESERVE', comment: '' }

  it('writes a MySQL 8.4 replica-disabled event with the keyword the server takes', () => {
    expect(parseEvents([row], 'DISABLE ON REPLICA')[0]?.definition).toBe(
      "CREATE EVENT `e` ON SCHEDULE EVERY 1 DAY STARTS CONVERT_TZ('2030-01-01 00:00:00', '+00:00', @@time_zone) ON COMPLETION NOT PRESERVE DISABLE ON REPLICA DO DELETE FROM t",
    )
  })

  it('leaves out a server-filled STARTS and quotes a composite interval', () => {
    const [event] = parseEvents([{ ...row, intervalValue: '1:30', intervalField: 'HOUR_MINUTE', startsImplied: 1, status: 'ENABLED' }], 'DISABLE ON SLAVE')
    expect(event?.definition).toBe("CREATE EVENT `e` ON SCHEDULE EVERY '1:30' HOUR_MINUTE ON COMPLETION NOT PRESERVE ENABLE DO DELETE FROM t")
  })

  it('ALTER EVENT repeats every clause (COMMENT included) and is not used when an ENDS goes away', () => {
    const [withEnds] = parseEvents([{ ...row, ends: '2031-01-01 00:00:00', comment: 'x' }], 'DISABLE ON REPLICA')
    const [plain] = parseEvents([{ ...row, status: 'ENABLED' }], 'DISABLE ON REPLICA')
    expect(alterEvent(plain!, withEnds!)).toBe(
      "ALTER EVENT `e` ON SCHEDULE EVERY 1 DAY STARTS CONVERT_TZ('2030-01-01 00:00:00', '+00:00', @@time_zone) ENDS CONVERT_TZ('2031-01-01 00:00:00', '+00:00', @@time_zone) ON COMPLETION NOT PRESERVE DISABLE ON REPLICA COMMENT 'x' DO DELETE FROM t",
    )
    expect(alterEvent(withEnds!, plain!)).toBeUndefined()
  })
})

describe('mysql partitions', () => {
  const rows = (method: string, expression: string, parts: [string, string | null][]) =>
    parts.map(([name, description]) => ({ name, method, expression, description, subMethod: null, subExpression: null, comment: '', subpartitions: 1 }))

  it('normal form of RANGE, RANGE COLUMNS, LIST and LINEAR KEY', () => {
    expect(partitionOptions(rows('RANGE', 'year(`d`)', [['p0', '2000'], ['p1', 'MAXVALUE']]))).toEqual({
      partitionBy: 'RANGE (year(`d`))',
      partitions: 'PARTITION `p0` VALUES LESS THAN (2000), PARTITION `p1` VALUES LESS THAN MAXVALUE',
    })
    expect(partitionOptions(rows('RANGE COLUMNS', '`a`,`b`', [['p0', '10,MAXVALUE']])).partitions).toBe('PARTITION `p0` VALUES LESS THAN (10,MAXVALUE)')
    expect(partitionOptions(rows('LIST', '`r`', [['p0', "'a,b','c'"]])).partitions).toBe("PARTITION `p0` VALUES IN ('a,b','c')")
    expect(partitionOptions(rows('LINEAR KEY', '', [['p0', null], ['p1', null]]))).toEqual({ partitionBy: 'LINEAR KEY ()', partitions: 'PARTITION `p0`, PARTITION `p1`' })
  })

  it('a LIST partition whose values hold a comma is read back as one partition', () => {
    const options = partitionOptions(rows('LIST', '`r`', [['p0', "'a,b','c'"], ['p1', "'d'"]]))
    const steps = partitionSteps('t', options, partitionOptions(rows('LIST', '`r`', [['p1', "'d'"]])))
    expect(steps.map((s) => s.sql)).toEqual(['ALTER TABLE `t` DROP PARTITION `p0`'])
  })

  it('a RANGE partition inserted before the last one splits its neighbour (ADD PARTITION only appends)', () => {
    const from = partitionOptions(rows('RANGE', '`y`', [['p0', '2000'], ['p2', '3000']]))
    const to = partitionOptions(rows('RANGE', '`y`', [['p0', '2000'], ['p1', '2500'], ['p2', '3000']]))
    expect(partitionSteps('t', from, to).map((s) => s.sql)).toEqual([
      'ALTER TABLE `t` REORGANIZE PARTITION `p2` INTO (PARTITION `p1` VALUES LESS THAN (2500), PARTITION `p2` VALUES LESS THAN (3000))',
    ])
  })

  it('RANGE partitions split, merged or moved are one REORGANIZE PARTITION of just that run', () => {
    const range = (parts: [string, string][]) => partitionOptions(rows('RANGE', '`y`', parts))
    const steps = (a: [string, string][], b: [string, string][]) => partitionSteps('t', range(a), range(b)).map((s) => [s.sql, ...s.reverse])
    // Split the last one.
    expect(steps([['p0', '2000'], ['p1', 'MAXVALUE']], [['p0', '2000'], ['p1', '2010'], ['p2', 'MAXVALUE']])).toEqual([[
      'ALTER TABLE `t` REORGANIZE PARTITION `p1` INTO (PARTITION `p1` VALUES LESS THAN (2010), PARTITION `p2` VALUES LESS THAN MAXVALUE)',
      'ALTER TABLE `t` REORGANIZE PARTITION `p1`, `p2` INTO (PARTITION `p1` VALUES LESS THAN MAXVALUE)',
    ]])
    // A bound moved between two partitions: both, as their outer bound stays.
    expect(steps([['p0', '2000'], ['p1', '2010'], ['p2', '2020']], [['p0', '2005'], ['p1', '2010'], ['p2', '2020']])[0]?.[0]).toBe(
      'ALTER TABLE `t` REORGANIZE PARTITION `p0`, `p1` INTO (PARTITION `p0` VALUES LESS THAN (2005), PARTITION `p1` VALUES LESS THAN (2010))',
    )
    // Merged in the middle.
    expect(steps([['p0', '2000'], ['p1', '2010'], ['p2', '2020'], ['p3', '2030']], [['p0', '2000'], ['p12', '2020'], ['p3', '2030']])[0]?.[0]).toBe(
      'ALTER TABLE `t` REORGANIZE PARTITION `p1`, `p2` INTO (PARTITION `p12` VALUES LESS THAN (2020))',
    )
    // A renamed partition keeps its rows: never DROP + ADD.
    expect(steps([['p0', '2000'], ['p1', '2010']], [['p0', '2000'], ['q1', '2010']])[0]?.[0]).toBe(
      'ALTER TABLE `t` REORGANIZE PARTITION `p1` INTO (PARTITION `q1` VALUES LESS THAN (2010))',
    )
    // The last range shrinking cannot be reorganized: the whole table is re-partitioned.
    expect(steps([['p0', '2000'], ['p1', '2010']], [['p0', '2000'], ['p1', '2005']])[0]?.[0]).toMatch(/^ALTER TABLE `t` PARTITION BY RANGE/)
  })

  it('names the rows a dropped partition deletes', () => {
    const from = partitionOptions(rows('RANGE', '`y`', [['p0', '2000'], ['p1', '3000']]))
    const to = partitionOptions(rows('RANGE', '`y`', [['p1', '3000']]))
    const table: Table = { name: 'm', columns: [], indexes: [], uniques: [], foreignKeys: [], checks: [], options: from }
    const losses = partitionRowLosses({ kind: 'alterTable', from: table, to: { ...table, options: to }, changes: [{ kind: 'alterOptions', from, to }] })
    expect(losses).toEqual([{ table: 'm', from: '`m` PARTITION (`p0`)', reason: 'drops partition p0' }])
  })

  it('names a table renamed in the same migration as it is before it (where lint counts)', () => {
    const from = partitionOptions(rows('RANGE', '`y`', [['p0', '2000'], ['p1', '3000']]))
    const to = partitionOptions(rows('RANGE', '`y`', [['p1', '3000']]))
    const old: Table = { name: 'old_m', columns: [], indexes: [], uniques: [], foreignKeys: [], checks: [], options: from }
    const renamed: Table = { ...old, name: 'm', renamedFrom: 'old_m', options: to }
    const change = { kind: 'alterTable' as const, from: { ...old, name: 'm' }, to: renamed, changes: [{ kind: 'alterOptions' as const, from, to }] }
    const current = { tables: [old], views: [], objects: [] }
    expect(partitionRowLosses(change, { current })).toEqual([{ table: 'old_m', from: '`old_m` PARTITION (`p0`)', reason: 'drops partition p0' }])
  })
})

describe('mysql USE in a target', () => {
  it('skips USE of the described or scratch database, refuses another, ignores anything else', () => {
    expect(useStatement('USE `app`', 'app', 'scratch_1')).toBe('skip')
    expect(useStatement('use scratch_1', 'app', 'scratch_1')).toBe('skip')
    expect(useStatement('USE other', 'app', 'scratch_1')).toMatch(/^`USE other` switches to database other, but the target describes database app; remove the line/)
    expect(useStatement('CREATE TABLE `use` (id int)', 'app', 's')).toBeUndefined()
  })
})

describe('mysql: whether an interrupted event or sequence statement took effect', () => {
  const schema = (objects: { kind: 'event' | 'sequence'; name: string }[]) => ({ tables: [], views: [], objects: objects.map((o) => ({ ...o, definition: '' })) })

  it('reads CREATE/DROP EVENT and SEQUENCE against the live schema; ALTER stays unknown', () => {
    const both = schema([{ kind: 'event', name: 'e' }, { kind: 'sequence', name: 's' }])
    const none = schema([])
    expect(statementTookEffect('CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO DELETE FROM t', both, 'db')).toBe(true)
    expect(statementTookEffect('CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO DELETE FROM t', none, 'db')).toBe(false)
    expect(statementTookEffect('DROP EVENT `e`', none, 'db')).toBe(true)
    expect(statementTookEffect('CREATE SEQUENCE s START WITH 1', both, 'db')).toBe(true)
    expect(statementTookEffect('DROP SEQUENCE s', both, 'db')).toBe(false)
    expect(statementTookEffect('ALTER EVENT e DISABLE', both, 'db')).toBeUndefined()
    expect(statementTookEffect('ALTER TABLE t DROP PARTITION p0', both, 'db')).toBeUndefined()
  })
})
