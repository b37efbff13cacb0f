import { capture, expectLine, expectPreserved, expectRefused } from '../outcome.js'
import type { Scenario } from '../scenario.js'
import type { Stage } from '../stage.js'
import { FAMILY, TEXTS } from '../values.js'

/** `contacts.email` holds 3 values and one NULL; `phone` is kept. */
const EMAILS = ['a@example.com', 'ü@exämple.com', null, `${FAMILY}@example.com`]
const EMAIL_VALUES = EMAILS.filter((e) => e !== null).length

async function seedContacts(s: Stage, emails: readonly (string | null)[]): Promise<void> {
  await s.db.exec(`CREATE TABLE contacts (id ${s.t.int} PRIMARY KEY, email ${s.t.varchar(100)}, phone ${s.t.text});`)
  await s.db.insert('contacts', emails.map((email, i) => ({ id: i + 1, email, phone: TEXTS[i] ?? null })))
}

const contactsWithoutEmail = (s: Stage) => `CREATE TABLE contacts (id ${s.t.int} PRIMARY KEY, phone ${s.t.text});\n`
const keptContacts = { table: 'contacts', columns: ['id', 'phone'] }

/** `sessions` holds 5 rows (or none). */
async function seedSessions(s: Stage, rows: number): Promise<void> {
  await s.db.exec(`CREATE TABLE sessions (id ${s.t.int} PRIMARY KEY, token ${s.t.text}, expires ${s.t.timestamp(6)});`)
  await s.db.insert('sessions', Array.from({ length: rows }, (_, i) => ({ id: i + 1, token: TEXTS[i] ?? null, expires: `2030-0${i + 1}-01 00:00:00.25` })))
}

const SESSIONS_DDL = (s: Stage) => `CREATE TABLE sessions (id ${s.t.int} PRIMARY KEY, token ${s.t.text}, expires ${s.t.timestamp(6)});\n`

const dropColumnRefused: Scenario = {
  name: `drop column contacts.email holding ${EMAIL_VALUES} values: lint errors (exit 2), up --dry-run lists it (exit 0, nothing changed), up refused`,
  async run(s) {
    await seedContacts(s, EMAILS)
    s.target(contactsWithoutEmail(s))
    await s.diff('drop_email')
    const before = await s.db.dump()
    const lint = await s.cli('lint')
    s.expect.soft(lint.code, `lint must exit 2 on the data loss\n${s.context()}`).toBe(2)
    expectLine(s, 'lint must report the loss as an error', `${lint.stdout}\n${lint.stderr}`, /error/i, ['contacts', 'email'], { email: EMAIL_VALUES })
    const dry = await s.cli('up', '--dry-run')
    s.expect.soft(dry.code, `up --dry-run must exit 0\n${s.context()}`).toBe(0)
    expectLine(s, 'up --dry-run must list the loss', `${dry.stdout}\n${dry.stderr}`, undefined, ['contacts', 'email'], { email: EMAIL_VALUES })
    s.expect.soft(await s.db.dump(), `up --dry-run must change nothing\n${s.context()}`).toBe(before)
    await expectRefused(s, await s.cli('up'), before, { mentions: ['contacts', 'email'], counts: { email: EMAIL_VALUES }, consent: true })
  },
}

const dropColumnAllowed: Scenario = {
  name: `drop column contacts.email holding ${EMAIL_VALUES} values with --allow-data-loss: dropped, every other value identical`,
  async run(s) {
    await seedContacts(s, EMAILS)
    s.target(contactsWithoutEmail(s))
    await s.diff('drop_email')
    const before = await capture(s, [keptContacts])
    await expectPreserved(s, await s.cli('up', '--allow-data-loss'), before, [{ table: 'contacts', column: 'email' }])
  },
}

const dropColumnAllNull: Scenario = {
  name: 'drop column contacts.email that is NULL in every row: no value lost, applied without consent',
  async run(s) {
    await seedContacts(s, [null, null, null, null])
    s.target(contactsWithoutEmail(s))
    await s.diff('drop_email')
    const before = await capture(s, [keptContacts])
    await expectPreserved(s, await s.cli('up'), before, [{ table: 'contacts', column: 'email' }])
  },
}

const dropTableRefused: Scenario = {
  name: 'drop table sessions holding 5 rows: refused, and --force alone is no consent',
  async run(s) {
    await seedSessions(s, 5)
    s.target('')
    await s.diff('drop_sessions')
    const before = await s.db.dump()
    await expectRefused(s, await s.cli('up'), before, { mentions: ['sessions'], counts: { sessions: 5 }, consent: true })
    await expectRefused(s, await s.cli('up', '--force'), before, { mentions: ['sessions'], counts: { sessions: 5 }, consent: true })
  },
}

const dropTableAllowed: Scenario = {
  name: 'drop table sessions holding 5 rows with --allow-data-loss: dropped, the witness identical',
  async run(s) {
    await seedSessions(s, 5)
    s.target('')
    await s.diff('drop_sessions')
    const before = await capture(s)
    await expectPreserved(s, await s.cli('up', '--allow-data-loss'), before, [{ table: 'sessions' }])
  },
}

const dropTableConfig: Scenario = {
  name: 'drop table sessions holding 5 rows with config allowDataLoss: true: dropped, the witness identical',
  async run(s) {
    await seedSessions(s, 5)
    s.target('')
    await s.diff('drop_sessions')
    s.config({ allowDataLoss: true })
    const before = await capture(s)
    await expectPreserved(s, await s.cli('up'), before, [{ table: 'sessions' }])
  },
}

const dropTableEmpty: Scenario = {
  name: 'drop empty table sessions: no row lost, applied without consent',
  async run(s) {
    await seedSessions(s, 0)
    s.target('')
    await s.diff('drop_sessions')
    const before = await capture(s)
    await expectPreserved(s, await s.cli('up'), before, [{ table: 'sessions' }])
  },
}

const handDropColumn: Scenario = {
  name: `hand-written ALTER TABLE contacts DROP COLUMN email over ${EMAIL_VALUES} values: refused`,
  async run(s) {
    await seedContacts(s, EMAILS)
    await s.handWritten('20240101000001', 'drop_email', 'ALTER TABLE contacts DROP COLUMN email;\n', `ALTER TABLE contacts ADD COLUMN email ${s.t.varchar(100)};\n`)
    const before = await s.db.dump()
    await expectRefused(s, await s.cli('up'), before, { mentions: ['contacts', 'email'], counts: { email: EMAIL_VALUES }, consent: true })
  },
}

const handDropColumnAllowed: Scenario = {
  name: `hand-written ALTER TABLE contacts DROP COLUMN email over ${EMAIL_VALUES} values with --allow-data-loss: dropped, every other value identical`,
  async run(s) {
    await seedContacts(s, EMAILS)
    await s.handWritten('20240101000001', 'drop_email', 'ALTER TABLE contacts DROP COLUMN email;\n', `ALTER TABLE contacts ADD COLUMN email ${s.t.varchar(100)};\n`)
    const before = await capture(s, [keptContacts])
    await expectPreserved(s, await s.cli('up', '--allow-data-loss'), before, [{ table: 'contacts', column: 'email' }])
  },
}

const handDropTable: Scenario = {
  name: 'hand-written DROP TABLE sessions over 5 rows: refused',
  async run(s) {
    await seedSessions(s, 5)
    await s.handWritten('20240101000001', 'drop_sessions', 'DROP TABLE sessions;\n', SESSIONS_DDL(s))
    const before = await s.db.dump()
    await expectRefused(s, await s.cli('up'), before, { mentions: ['sessions'], counts: { sessions: 5 }, consent: true })
  },
}

export const DROPS: readonly Scenario[] = [
  dropColumnRefused,
  dropColumnAllowed,
  dropColumnAllNull,
  dropTableRefused,
  dropTableAllowed,
  dropTableConfig,
  dropTableEmpty,
  handDropColumn,
  handDropColumnAllowed,
  handDropTable,
]
