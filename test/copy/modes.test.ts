import { stripVTControlCharacters } from 'node:util'
import { describe, expect, it } from 'vitest'
import type { CopyReport } from '../../src/copy/run.js'
import { runCli, runInTerminal } from '../cli/helpers.js'
import { availableDialects, type DialectKey, type HandMadeDatabase } from '../cli/dialect-databases.js'
import { ORDER_ROWS, SOURCES } from './sources.js'
import { copyTestbed } from './testbed.js'

const available = await availableDialects()
const { cwd, database } = copyTestbed('copy-modes')

async function tableNames(db: HandMadeDatabase, dialect: DialectKey): Promise<string[]> {
  const sql =
    dialect === 'sqlite'
      ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
      : dialect === 'postgres'
        ? "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1"
        : 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY 1'
  return (await db.query<{ name: string }>(sql)).map((r) => r.name)
}

describe.skipIf(!available.postgres || !available.mariadb)('migrator copy modes', () => {
  it('--dry-run reports each lossy mapping with its code and prints the DDL, writing nothing', async () => {
    const source = await database('postgres', 'cp_dry', SOURCES.postgres)
    const target = await database('mariadb', 'cp_dry')
    const text = await runCli(['copy', '--from', source.url, '--to', target.url, '--dry-run'], { cwd })
    expect(text.code, text.stderr).toBe(0)
    expect(text.stderr).toContain('warning: CP102 public.customers.created_at: timestamp with time zone stored as UTC in DATETIME')
    expect(text.stderr).toContain('warning: CP110 public.customers.name: unbounded text in a key stored as varchar(255)')
    expect(text.stderr).toContain('warning: CP105 public.orders orders_lower_note: expression index')
    expect(text.stderr).toContain('warning: CP106 public.orders total_positive')
    expect(text.stdout).toMatch(/CREATE TABLE `customers` \([\s\S]*`created_at` datetime\(6\) NOT NULL DEFAULT \(current_timestamp\(6\)\)/)
    expect(text.stdout).toContain('FOREIGN KEY (`customer_id`) REFERENCES `customers` (`id`) ON DELETE CASCADE')

    const json = await runCli(['copy', '--from', source.url, '--to', target.url, '--dry-run', '--json'], { cwd })
    const report = JSON.parse(json.stdout) as CopyReport
    expect(report.losses.map((l) => `${l.code} ${l.where}`)).toEqual([
      'CP110 public.customers.name',
      'CP102 public.customers.created_at',
      'CP106 public.orders total_positive',
      'CP105 public.orders orders_lower_note',
    ])
    expect(await tableNames(target, 'mariadb')).toEqual([])
  })

  it('--schema-only then --data-only fills the created tables; --verify-only finds a changed value (exit 2)', { timeout: 120_000 }, async () => {
    const source = await database('mariadb', 'cp_modes', SOURCES.mariadb)
    const target = await database('postgres', 'cp_modes')
    const schema = await runCli(['copy', '--from', source.url, '--to', target.url, '--schema-only', '--json'], { cwd })
    expect(schema.code, schema.stderr).toBe(0)
    expect(await tableNames(target, 'postgres')).toEqual(['customers', 'orders'])
    expect(await target.query('SELECT * FROM orders')).toEqual([])

    const data = await runCli(['copy', '--from', source.url, '--to', target.url, '--data-only', '--jobs', '2', '--json'], { cwd })
    expect(data.code, data.stderr).toBe(0)
    const report = JSON.parse(data.stdout) as CopyReport
    expect(report.statements).toEqual([])
    expect(report.proof.map((p) => [p.table, p.targetRows, p.match])).toEqual([
      ['customers', 3, true],
      ['orders', ORDER_ROWS, true],
    ])

    await target.exec("UPDATE orders SET total = total + 0.01 WHERE id = 7")
    const verify = await runCli(['copy', '--from', source.url, '--to', target.url, '--verify-only'], { cwd })
    expect(verify.code).toBe(2)
    expect(verify.stdout).toMatch(/^customers .* OK$/m)
    expect(verify.stdout).toMatch(/^orders +3000 +3000 .* DIFFERENT$/m)
    expect(verify.stderr).toContain('error: 1 of 2 tables differ between source and target')

    const again = await runCli(['copy', '--from', source.url, '--to', target.url, '--data-only'], { cwd })
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/^error: table customers on target .* already has rows; --data-only fills empty tables only/m)
    // Refused before anything was written: no checkpoint that would turn the next run into a resume.
    expect(await tableNames(target, 'postgres')).toEqual(['customers', 'orders'])
  })

  it('on a terminal, each table ends with a line giving its rows and rows/s', async () => {
    const source = await database('sqlite', 'cp_tty', SOURCES.sqlite)
    const target = await database('sqlite', 'cp_tty_to')
    const run = await runInTerminal(['copy', '--from', source.url, '--to', target.url, '--batch', '100'], { cwd, columns: 120 })
    const screen = stripVTControlCharacters(run.screen)
    expect(run.code, screen).toBe(0)
    expect(screen).toMatch(/✔ orders: 3,000 rows \([\d,]+ rows\/s\)/)
    expect(screen).toMatch(/2 tables proven identical/)
  })

  it('--tables copies a subset and reports the foreign key it cannot keep', async () => {
    const source = await database('sqlite', 'cp_subset', SOURCES.sqlite)
    const target = await database('sqlite', 'cp_subset_to')
    const result = await runCli(['copy', '--from', source.url, '--to', target.url, '--tables', 'orders', '--json'], { cwd })
    expect(result.code, result.stderr).toBe(0)
    const report = JSON.parse(result.stdout) as CopyReport
    expect(report.losses).toContainEqual({ code: 'CP112', where: 'orders', message: 'references customers, which is not copied' })
    expect(await tableNames(target, 'sqlite')).toEqual(['orders'])

    const unknown = await runCli(['copy', '--from', source.url, '--to', target.url, '--tables', 'nope'], { cwd })
    expect(unknown.code).toBe(1)
    expect(unknown.stderr.trim()).toBe('error: --tables names nope, not a table of the source (tables: customers, orders)')
  })

  it('a --data-only target whose columns do not match is refused before anything is written', async () => {
    const source = await database('sqlite', 'cp_mismatch', SOURCES.sqlite)
    const target = await database('postgres', 'cp_mismatch', 'CREATE TABLE customers (id bigint PRIMARY KEY, email integer)')
    const result = await runCli(['copy', '--from', source.url, '--to', target.url, '--data-only', '--tables', 'customers'], { cwd })
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^error: column customers\.email is integer on target .*, where the copy maps the source to text; the target must have the tables a copy creates/m)
    expect(await target.query('SELECT * FROM customers')).toEqual([])
  })

  it('a decimal the target would round stops the copy with the value named', async () => {
    const source = await database('sqlite', 'cp_round', 'CREATE TABLE prices (id INTEGER PRIMARY KEY, amount NUMERIC(10,2)); INSERT INTO prices VALUES (1, 1.5), (2, 0.142857)')
    const target = await database('postgres', 'cp_round')
    const result = await runCli(['copy', '--from', source.url, '--to', target.url], { cwd })
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^error: prices\.amount holds 0\.142857, more decimal places than the target's 2 \(it would be rounded\)/m)
    expect(await target.query('SELECT * FROM prices')).toEqual([])
  })

  it('a table without a primary key is copied in offset pages, duplicate rows included', async () => {
    const source = await database('sqlite', 'cp_nopk', "CREATE TABLE log (at TEXT, msg TEXT, payload BLOB); INSERT INTO log VALUES ('2024-01-01', 'a', X'01'), ('2024-01-01', 'a', X'01'), (NULL, 'b', NULL), ('2024-01-02', NULL, X'')")
    const target = await database('postgres', 'cp_nopk')
    const result = await runCli(['copy', '--from', source.url, '--to', target.url, '--batch', '1', '--json'], { cwd })
    expect(result.code, result.stderr).toBe(0)
    expect((JSON.parse(result.stdout) as CopyReport).proof).toMatchObject([{ table: 'log', sourceRows: 4, targetRows: 4, match: true }])
    expect(await target.query("SELECT at, msg, encode(payload, 'hex') AS payload FROM log ORDER BY at NULLS FIRST, msg")).toEqual([
      { at: null, msg: 'b', payload: null },
      { at: '2024-01-01', msg: 'a', payload: '01' },
      { at: '2024-01-01', msg: 'a', payload: '01' },
      { at: '2024-01-02', msg: null, payload: '' },
    ])
  })

  it('bad flags are one usage line', async () => {
    const both = await runCli(['copy', '--from', 'sqlite:a.db', '--to', 'sqlite:b.db', '--schema-only', '--data-only'], { cwd })
    expect(both.code).toBe(1)
    expect(both.stderr.trim()).toBe('error: --schema-only, --data-only and --verify-only exclude each other; pass one')
    const missing = await runCli(['copy', '--to', 'sqlite:b.db'], { cwd })
    expect(missing.stderr.trim()).toBe('error: copy needs --from <url> and --to <url> (see migrator copy --help)')
  })
})
