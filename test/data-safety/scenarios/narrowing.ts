import type { DialectName, Types } from '../dialects.js'
import { capture, expectLine, expectPreserved, expectRefused, type Canonical } from '../outcome.js'
import type { Value } from '../raw.js'
import type { Scenario } from '../scenario.js'
import type { Stage } from '../stage.js'
import { FAMILY, LONG, TEXTS } from '../values.js'

/** A narrowing of `ledger.entry`: values that fit the new type and values that do not. */
interface Narrowing {
  readonly label: string
  readonly from: (t: Types) => string
  readonly to: (t: Types) => string
  readonly fitting: readonly Value[]
  readonly nonFitting: readonly Value[]
  readonly canonical?: Canonical
  /** Dialects without the types at all. */
  readonly notOn?: Partial<Record<DialectName, string>>
  /** Dialects that keep non-fitting values anyway (declared type not enforced): nothing can be lost. */
  readonly keptAnywayOn?: Partial<Record<DialectName, string>>
  /** What a user would write by hand for the same change. */
  readonly handWritten: Partial<Record<DialectName, { readonly up: string; readonly down: string }>>
}

const SQLITE_LENGTH = 'SQLite does not enforce declared lengths: every value is kept, none can be lost'
const SQLITE_HAND = 'SQLite has no ALTER COLUMN … TYPE (and does not enforce declared types)'

const pgType = (type: string, back: string, using = '') => ({
  up: `ALTER TABLE ledger ALTER COLUMN entry TYPE ${type}${using};\n`,
  down: `ALTER TABLE ledger ALTER COLUMN entry TYPE ${back};\n`,
})
const modify = (type: string, back: string) => ({ up: `ALTER TABLE ledger MODIFY entry ${type};\n`, down: `ALTER TABLE ledger MODIFY entry ${back};\n` })

const PAIRS: readonly Narrowing[] = [
  {
    label: 'varchar(10) → varchar(3)',
    from: (t) => t.varchar(10),
    to: (t) => t.varchar(3),
    fitting: ['abc', 'e\u0301x', '😀ab', ''],
    // Four, not three: a count of 3 could be read off the type's own length in the message.
    nonFitting: ['abcd', FAMILY, '0123456789', 'wxyz'],
    keptAnywayOn: { sqlite: SQLITE_LENGTH },
    handWritten: { postgres: pgType('varchar(3)', 'varchar(10)', ' USING left(entry, 3)'), mariadb: modify('VARCHAR(3)', 'VARCHAR(10)') },
  },
  {
    label: 'text → varchar(3)',
    from: (t) => t.text,
    to: (t) => t.varchar(3),
    fitting: ['abc', 'e\u0301x', '😀ab', ''],
    nonFitting: ['abcd', LONG, FAMILY, '0123'],
    keptAnywayOn: { sqlite: SQLITE_LENGTH },
    handWritten: { postgres: pgType('varchar(3)', 'text', ' USING left(entry, 3)'), mariadb: modify('VARCHAR(3)', 'TEXT') },
  },
  {
    label: 'decimal(12,4) → decimal(12,2) (scale)',
    from: (t) => t.decimal(12, 4),
    to: (t) => t.decimal(12, 2),
    fitting: ['1.2300', '-99999999.9900', '0.0000', '42'],
    nonFitting: ['1.2345', '-0.0001'],
    canonical: 'decimal',
    keptAnywayOn: { sqlite: 'SQLite does not enforce a declared scale: NUMERIC affinity keeps every value as stored' },
    handWritten: { postgres: pgType('numeric(12,2)', 'numeric(12,4)'), mariadb: modify('DECIMAL(12,2)', 'DECIMAL(12,4)') },
  },
  {
    label: 'decimal(12,2) → decimal(6,2) (precision)',
    from: (t) => t.decimal(12, 2),
    to: (t) => t.decimal(6, 2),
    fitting: ['9999.99', '-9999.99', '0.01', '0.00'],
    nonFitting: ['10000.00', '-123456.78'],
    keptAnywayOn: { sqlite: 'SQLite does not enforce a declared precision: NUMERIC affinity keeps every value as stored' },
    handWritten: { postgres: pgType('numeric(6,2)', 'numeric(12,2)'), mariadb: modify('DECIMAL(6,2)', 'DECIMAL(12,2)') },
  },
  {
    label: 'bigint → int',
    from: (t) => t.bigint,
    to: (t) => t.int,
    fitting: [2147483647, -2147483648, 0, -1],
    nonFitting: [2147483648n, -9223372036854775808n],
    keptAnywayOn: { sqlite: 'SQLite integers are all 64-bit: INT and BIGINT hold the same values' },
    handWritten: { postgres: pgType('integer', 'bigint'), mariadb: modify('INT', 'BIGINT') },
  },
  {
    label: 'int → smallint',
    from: (t) => t.int,
    to: (t) => t.smallint,
    fitting: [32767, -32768, 0],
    nonFitting: [32768, -2147483648],
    keptAnywayOn: { sqlite: 'SQLite integers are all 64-bit: INT and SMALLINT hold the same values' },
    handWritten: { postgres: pgType('smallint', 'integer'), mariadb: modify('SMALLINT', 'INT') },
  },
  {
    label: 'int → int unsigned',
    from: (t) => t.int,
    to: () => 'INT UNSIGNED',
    fitting: [0, 2147483647, 1],
    nonFitting: [-1, -2147483648],
    notOn: { postgres: 'PostgreSQL has no unsigned integer types', sqlite: 'SQLite has no unsigned integer types' },
    handWritten: { mariadb: modify('INT UNSIGNED', 'INT') },
  },
  {
    label: 'double → int',
    from: (t) => t.double,
    to: (t) => t.int,
    fitting: [42, -7, 0, 2147483647],
    nonFitting: [1.5, -0.25, 1e10],
    keptAnywayOn: { sqlite: 'SQLite keeps a REAL that is not a whole number as REAL in an INTEGER column' },
    handWritten: { postgres: pgType('integer', 'double precision'), mariadb: modify('INT', 'DOUBLE') },
  },
  {
    label: 'timestamp(6) → timestamp(3) (fractional precision)',
    from: (t) => t.timestamp(6),
    to: (t) => t.timestamp(3),
    fitting: ['2024-02-29 23:59:59.123', '1970-01-01 00:00:00', '2038-01-19 03:14:07.999'],
    nonFitting: ['2024-02-29 23:59:59.123456', '1999-12-31 23:59:59.9999'],
    canonical: 'timestamp',
    notOn: { sqlite: 'SQLite has no timestamp type (timestamps are text)' },
    handWritten: { postgres: pgType('timestamp(3)', 'timestamp(6)'), mariadb: modify('DATETIME(3)', 'DATETIME(6)') },
  },
  {
    label: 'text → integer',
    from: (t) => t.text,
    to: (t) => t.int,
    fitting: ['42', '-7', '0', '2147483647', '-2147483648'],
    nonFitting: ['abc', '12.5', '', '2147483648'],
    keptAnywayOn: { sqlite: 'SQLite keeps text that is not an integer as TEXT in an INTEGER column' },
    // The silent version: every value that is not an integer becomes NULL.
    handWritten: { postgres: pgType('integer', 'text', " USING CASE WHEN entry ~ '^-?[0-9]+$' THEN entry::integer END"), mariadb: modify('INT', 'TEXT') },
  },
]

async function seed(s: Stage, pair: Narrowing, values: readonly Value[]): Promise<void> {
  await s.db.exec(`CREATE TABLE ledger (id ${s.t.int} PRIMARY KEY, entry ${pair.from(s.t)}, memo ${s.t.text});`)
  const rows = [...values, null].map((entry, i) => ({ id: i + 1, entry, memo: TEXTS[i % TEXTS.length] ?? null }))
  await s.db.insert('ledger', rows)
}

const targetOf = (s: Stage, pair: Narrowing) => `CREATE TABLE ledger (id ${s.t.int} PRIMARY KEY, entry ${pair.to(s.t)}, memo ${s.t.text});\n`

function fitting(pair: Narrowing): Scenario {
  return {
    name: `narrowing ${pair.label}, every value fits: applied, every value identical`,
    notOn: pair.notOn,
    async run(s) {
      await seed(s, pair, pair.fitting)
      s.target(targetOf(s, pair))
      await s.diff('narrow_entry')
      const before = await capture(s, [{ table: 'ledger', columns: ['id', { from: 'entry', to: 'entry', canonical: pair.canonical }, 'memo'] }])
      await expectPreserved(s, await s.cli('up'), before)
    },
  }
}

/**
 * Refused without consent; with `--allow-data-loss --force` the generated guard still stops it,
 * because a narrowing that cannot hold a value destroys it whatever the user consented to.
 */
function nonFitting(pair: Narrowing): Scenario {
  return {
    name: `narrowing ${pair.label}, ${pair.nonFitting.length} values do not fit: refused, and its guard fails even with --allow-data-loss --force`,
    notOn: { ...pair.keptAnywayOn, ...pair.notOn },
    async run(s) {
      await seed(s, pair, [...pair.fitting, ...pair.nonFitting])
      s.target(targetOf(s, pair))
      const ups = await s.diff('narrow_entry')
      const before = await s.db.dump()
      await expectRefused(s, await s.cli('up'), before, { mentions: ['ledger', 'entry'], counts: { entry: pair.nonFitting.length }, consent: true })
      await expectRefused(s, await s.cli('up', '--allow-data-loss', '--force'), before, { mentions: ['ledger'], consent: false })
      expectLine(s, 'the generated up file must guard the narrowing', ups.join('\n'), /^-- migrator:check-before /, ['ledger', 'entry'])
    },
  }
}

function handWritten(pair: Narrowing): Scenario {
  const sql = pair.handWritten
  return {
    name: `hand-written narrowing ${pair.label} over ${pair.nonFitting.length} values that do not fit: refused like the generated one`,
    notOn: {
      ...pair.keptAnywayOn,
      ...(sql.postgres === undefined ? { postgres: 'no PostgreSQL spelling' } : {}),
      ...(sql.mariadb === undefined ? { mariadb: 'no MariaDB spelling' } : {}),
      sqlite: SQLITE_HAND,
      ...pair.notOn,
    },
    async run(s) {
      await seed(s, pair, [...pair.fitting, ...pair.nonFitting])
      const file = sql[s.dialect]!
      await s.handWritten('20240101000001', 'narrow_entry', file.up, file.down)
      const before = await s.db.dump()
      await expectRefused(s, await s.cli('up'), before, { mentions: ['ledger', 'entry'], counts: { entry: pair.nonFitting.length }, consent: true })
    },
  }
}

export const NARROWING: readonly Scenario[] = PAIRS.flatMap((pair) => [fitting(pair), nonFitting(pair), handWritten(pair)])
