import { capture, expectPreserved, expectRefused } from '../outcome.js'
import type { Scenario } from '../scenario.js'
import type { Stage } from '../stage.js'
import { TEXTS } from '../values.js'

/**
 * A constraint the existing rows violate. Nothing is lost by trying, but the migration cannot
 * succeed: `up` refuses on the lint error, and `up --force` fails on the database and rolls back.
 */
interface MightFail {
  readonly label: string
  readonly mentions: readonly string[]
  readonly live: (s: Stage) => string
  readonly target: (s: Stage) => string
  /** Inserts rows that violate the target. */
  readonly seed: (s: Stage) => Promise<void>
}

const members = (s: Stage, email: string) => `CREATE TABLE members (id ${s.t.int} PRIMARY KEY, email ${s.t.varchar(100)}${email}, nick ${s.t.text});\n`
const seedMembers = (emails: readonly (string | null)[]) => async (s: Stage) =>
  s.db.insert('members', emails.map((email, i) => ({ id: i + 1, email, nick: TEXTS[i % TEXTS.length] ?? null })))

const authors = (s: Stage) => `CREATE TABLE authors (id ${s.t.int} PRIMARY KEY, name ${s.t.text});\n`
const books = (s: Stage, reference: string) => `CREATE TABLE books (id ${s.t.int} PRIMARY KEY, author_id ${s.t.int}${reference}, title ${s.t.text});\n`
const prices = (s: Stage, check: string) => `CREATE TABLE prices (id ${s.t.int} PRIMARY KEY, amount ${s.t.int}${check}, label ${s.t.text});\n`

async function seedLibrary(s: Stage, authorIds: readonly (number | null)[]): Promise<void> {
  await s.db.insert('authors', [{ id: 1, name: TEXTS[0] ?? null }, { id: 2, name: TEXTS[1] ?? null }])
  await s.db.insert('books', authorIds.map((author_id, i) => ({ id: i + 1, author_id, title: TEXTS[(i + 2) % TEXTS.length] ?? null })))
}
const seedPrices = (amounts: readonly (number | null)[]) => async (s: Stage) =>
  s.db.insert('prices', amounts.map((amount, i) => ({ id: i + 1, amount, label: TEXTS[i] ?? null })))

const CASES: readonly MightFail[] = [
  {
    label: 'NOT NULL on members.email over 2 NULLs (MF103)',
    mentions: ['members', 'email'],
    live: (s) => members(s, ''),
    target: (s) => members(s, ' NOT NULL'),
    seed: seedMembers(['a@x', null, 'b@x', null]),
  },
  {
    label: 'UNIQUE on members.email over a duplicate (MF101)',
    mentions: ['members', 'email'],
    live: (s) => members(s, ''),
    target: (s) => members(s, ' UNIQUE'),
    seed: seedMembers(['dup@x', null, 'dup@x', null, 'e@x']),
  },
  {
    label: 'FOREIGN KEY books.author_id → authors over 2 orphans',
    mentions: ['books', 'author_id'],
    live: (s) => authors(s) + books(s, ''),
    target: (s) => authors(s) + books(s, ' REFERENCES authors (id)'),
    seed: (s) => seedLibrary(s, [1, 99, 2, null, -5]),
  },
  {
    label: 'CHECK (amount >= 0) on prices over 2 negative amounts',
    mentions: ['prices'],
    live: (s) => prices(s, ''),
    target: (s) => prices(s, ' CHECK (amount >= 0)'),
    seed: seedPrices([0, -1, 2147483647, null, -2147483648]),
  },
]

function violated(c: MightFail): Scenario {
  return {
    name: `${c.label}: up refused by lint, up --force fails on the database, nothing changed either way`,
    async run(s) {
      await s.db.exec(c.live(s))
      await c.seed(s)
      s.target(c.target(s))
      await s.diff('constrain')
      const before = await s.db.dump()
      await expectRefused(s, await s.cli('up'), before, { mentions: c.mentions, consent: false })
      await expectRefused(s, await s.cli('up', '--force'), before, { mentions: c.mentions.slice(0, 1), consent: false })
    },
  }
}

/** The four constraints at once over rows that satisfy them: applied (SQLite by a rebuild), every value identical. */
const satisfied: Scenario = {
  name: 'NOT NULL, UNIQUE, FOREIGN KEY and CHECK added over rows that satisfy them: applied, every value identical',
  async run(s) {
    await s.db.exec(members(s, '') + authors(s) + books(s, '') + prices(s, ''))
    await seedMembers(['a@x', 'c@x', 'b@x', 'd@x'])(s)
    await seedLibrary(s, [1, 1, 2, null, 2])
    await seedPrices([0, 1, 2147483647, null, 5])(s)
    s.target(members(s, ' NOT NULL UNIQUE') + authors(s) + books(s, ' REFERENCES authors (id)') + prices(s, ' CHECK (amount >= 0)'))
    await s.diff('constrain')
    const before = await capture(s, [
      { table: 'members', columns: ['id', 'email', 'nick'] },
      { table: 'authors', columns: ['id', 'name'] },
      { table: 'books', columns: ['id', 'author_id', 'title'] },
      { table: 'prices', columns: ['id', 'amount', 'label'] },
    ])
    await expectPreserved(s, await s.cli('up'), before)
  },
}

export const CONSTRAINTS: readonly Scenario[] = [...CASES.map(violated), satisfied]
