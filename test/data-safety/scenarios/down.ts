import { capture, expectPreserved, expectRefused } from '../outcome.js'
import type { Scenario } from '../scenario.js'
import type { Stage } from '../stage.js'
import { TEXTS } from '../values.js'

const PARCELS = (s: Stage) => `CREATE TABLE parcels (id ${s.t.int} PRIMARY KEY, weight ${s.t.decimal(10, 3)}, note ${s.t.text});\n`

async function up(s: Stage): Promise<void> {
  const result = await s.cli('up')
  s.expect(result.code, `up must succeed before the down is tried\n${s.context()}`).toBe(0)
}

async function fillParcels(s: Stage, rows: number): Promise<void> {
  await s.db.insert('parcels', Array.from({ length: rows }, (_, i) => ({ id: i + 1, weight: i === 0 ? null : `${i}.125`, note: TEXTS[i] ?? null })))
}

/** A generated migration creating `parcels`, applied; then 4 rows arrive. */
async function parcelsApplied(s: Stage): Promise<void> {
  s.target(PARCELS(s))
  await s.diff('create_parcels')
  await up(s)
  await fillParcels(s, 4)
}

const downRefused: Scenario = {
  name: 'down of the migration that created parcels, which now holds 4 rows: refused',
  async run(s) {
    await parcelsApplied(s)
    const before = await s.db.dump()
    await expectRefused(s, await s.cli('down'), before, { mentions: ['parcels'], counts: { parcels: 4 }, consent: true })
  },
}

const downAllowed: Scenario = {
  name: 'down of the migration that created parcels, which now holds 4 rows, with --allow-data-loss: dropped, the witness identical',
  async run(s) {
    await parcelsApplied(s)
    const before = await capture(s)
    await expectPreserved(s, await s.cli('down', '--allow-data-loss'), before, [{ table: 'parcels' }], [])
  },
}

const downAll: Scenario = {
  name: 'down --all over two migrations whose tables alpha (2 rows) and beta (3 rows) hold rows: refused, both named',
  async run(s) {
    await s.handWritten('20240101000001', 'create_alpha', `CREATE TABLE alpha (id ${s.t.int} PRIMARY KEY, v ${s.t.text});\n`, 'DROP TABLE alpha;\n')
    await s.handWritten('20240101000002', 'create_beta', `CREATE TABLE beta (id ${s.t.int} PRIMARY KEY, v ${s.t.text});\n`, 'DROP TABLE beta;\n')
    await up(s)
    await s.db.insert('alpha', [{ id: 1, v: TEXTS[0] ?? null }, { id: 2, v: null }])
    await s.db.insert('beta', [{ id: 1, v: TEXTS[1] ?? null }, { id: 2, v: TEXTS[2] ?? null }, { id: 3, v: '' }])
    const before = await s.db.dump()
    await expectRefused(s, await s.cli('down', '--all'), before, { mentions: ['alpha', 'beta'], counts: { alpha: 2, beta: 3 }, consent: true })
  },
}

const downDropsColumn: Scenario = {
  name: 'down of the migration that added parcels.label, which now holds 2 values: refused',
  async run(s) {
    await s.db.exec(PARCELS(s))
    await fillParcels(s, 4)
    s.target(`CREATE TABLE parcels (id ${s.t.int} PRIMARY KEY, weight ${s.t.decimal(10, 3)}, note ${s.t.text}, label ${s.t.text});\n`)
    await s.diff('add_label')
    await up(s)
    await s.db.exec("UPDATE parcels SET label = 'fragile ⚠' WHERE id IN (1, 3);")
    const before = await s.db.dump()
    await expectRefused(s, await s.cli('down'), before, { mentions: ['parcels', 'label'], counts: { label: 2 }, consent: true })
  },
}

export const DOWN: readonly Scenario[] = [downRefused, downAllowed, downAll, downDropsColumn]
