import { capture, expectPreserved, expectRefused } from '../outcome.js'
import type { Scenario } from '../scenario.js'
import type { Stage } from '../stage.js'
import { TEXTS } from '../values.js'

const NO_ENUMS = 'SQLite has no enum types (a CHECK over a list is covered by the CHECK scenarios)'
const MARIADB_ONLY = { postgres: 'SET is a MySQL/MariaDB type', sqlite: 'SET is a MySQL/MariaDB type' }
const POSTGRES_ONLY = { mariadb: 'MariaDB has no partial indexes', sqlite: NO_ENUMS }

const list = (labels: readonly string[]) => labels.map((l) => `'${l}'`).join(', ')

/**
 * Partial indexes over `diary.feeling` (PostgreSQL): `kept` filters on a label that stays, so it
 * depends on the type being replaced; `onRemoved` filters on the removed label and is dropped by
 * the target with it.
 */
type PartialIndex = 'none' | 'kept' | 'onRemoved'

const INDEX_SQL: Readonly<Record<PartialIndex, { readonly live: string; readonly target: string }>> = {
  none: { live: '', target: '' },
  kept: {
    live: "CREATE INDEX diary_happy ON diary (id) WHERE feeling = 'happy';\n",
    target: "CREATE INDEX diary_happy ON diary (id) WHERE feeling = 'happy';\n",
  },
  onRemoved: { live: "CREATE INDEX diary_meh ON diary (id) WHERE feeling = 'meh';\n", target: '' },
}

const INDEX_TITLE: Readonly<Record<PartialIndex, string>> = {
  none: '',
  kept: " (a partial index filters on 'happy')",
  onRemoved: " (a partial index filters on 'meh', dropped by the target)",
}

/** `diary.feeling` over `labels`; PostgreSQL with a named type, MariaDB with an ENUM column. */
function diaryDdl(s: Stage, labels: readonly string[], index: string): string {
  if (s.dialect !== 'postgres') return `CREATE TABLE diary (id INT PRIMARY KEY, feeling ENUM(${list(labels)}), note TEXT);\n`
  return `CREATE TYPE mood AS ENUM (${list(labels)});\nCREATE TABLE diary (id integer PRIMARY KEY, feeling mood, note text);\n${index}`
}

const UNUSED = ['happy', 'sad', null, 'happy', 'sad', 'happy']
const IN_USE = [...UNUSED, 'meh', 'meh']

async function seedDiary(s: Stage, feelings: readonly (string | null)[], index: PartialIndex = 'none'): Promise<void> {
  await s.db.exec(diaryDdl(s, ['happy', 'meh', 'sad'], INDEX_SQL[index].live))
  await s.db.insert('diary', feelings.map((feeling, i) => ({ id: i + 1, feeling, note: TEXTS[i % TEXTS.length] ?? null })))
  s.target(diaryDdl(s, ['happy', 'sad'], INDEX_SQL[index].target))
}

function removalUnused(index: PartialIndex): Scenario {
  // An index whose predicate names the removed label is refused at diff time even when the target
  // drops it (the rebuild does not yet order that drop first): one clear line, nothing written.
  if (index === 'onRemoved') {
    return {
      name: `enum value 'meh' removed while no row holds it${INDEX_TITLE[index]}: diff refuses in one line, nothing written or changed`,
      notOn: POSTGRES_ONLY,
      async run(s) {
        await seedDiary(s, UNUSED, index)
        const before = await s.db.dump()
        const refused = await s.cli('diff', 'drop_meh')
        s.expect(refused.code).toBe(1)
        s.expect(refused.stderr.trim().split('\n').at(-1)).toMatch(/^error: index diary_meh on public\.diary names label 'meh', which this change removes from enum public\.mood; /)
        s.expect(await s.db.dump()).toBe(before)
      },
    }
  }
  return {
    name: `enum value 'meh' removed while no row holds it${INDEX_TITLE[index]}: applied, every value identical`,
    notOn: index === 'none' ? { sqlite: NO_ENUMS } : POSTGRES_ONLY,
    async run(s) {
      await seedDiary(s, UNUSED, index)
      await s.diff('drop_meh')
      const before = await capture(s, [{ table: 'diary', columns: ['id', 'feeling', 'note'] }])
      await expectPreserved(s, await s.cli('up'), before)
    },
  }
}

function removalInUse(index: PartialIndex): Scenario {
  return {
    name: `enum value 'meh' removed while 2 rows hold it${INDEX_TITLE[index]}: refused`,
    notOn: index === 'none' ? { sqlite: NO_ENUMS } : POSTGRES_ONLY,
    async run(s) {
      await seedDiary(s, IN_USE, index)
      await s.diff('drop_meh')
      const before = await s.db.dump()
      await expectRefused(s, await s.cli('up'), before, { mentions: ['diary', 'feeling'], counts: { feeling: 2 }, consent: true })
    },
  }
}

/** What users write by hand; the PostgreSQL one silently turns 'meh' into NULL. */
const HAND_ENUM = {
  postgres: {
    up: `ALTER TYPE mood RENAME TO mood_old;
CREATE TYPE mood AS ENUM ('happy', 'sad');
ALTER TABLE diary ALTER COLUMN feeling TYPE mood USING (CASE WHEN feeling::text = 'meh' THEN NULL ELSE feeling::text END)::mood;
DROP TYPE mood_old;
`,
    down: `ALTER TYPE mood ADD VALUE 'meh';\n`,
  },
  mariadb: { up: "ALTER TABLE diary MODIFY feeling ENUM('happy', 'sad');\n", down: "ALTER TABLE diary MODIFY feeling ENUM('happy', 'meh', 'sad');\n" },
}

const handWrittenEnum: Scenario = {
  name: "hand-written enum value removal over 2 rows holding 'meh': refused",
  notOn: { sqlite: NO_ENUMS },
  async run(s) {
    await seedDiary(s, IN_USE)
    const sql = s.dialect === 'postgres' ? HAND_ENUM.postgres : HAND_ENUM.mariadb
    await s.handWritten('20240101000001', 'drop_meh', sql.up, sql.down)
    const before = await s.db.dump()
    await expectRefused(s, await s.cli('up'), before, { mentions: ['diary', 'feeling'], counts: { feeling: 2 }, consent: true })
  },
}

const PALETTE = (members: string) => `CREATE TABLE palettes (id INT PRIMARY KEY, tags SET(${members}), note TEXT);\n`
const SET_UNUSED = ['red', 'red,blue', '', null, 'blue']
const SET_IN_USE = [...SET_UNUSED, 'red,green', 'green']

async function seedPalettes(s: Stage, tags: readonly (string | null)[]): Promise<void> {
  await s.db.exec(PALETTE("'red', 'green', 'blue'"))
  await s.db.insert('palettes', tags.map((t, i) => ({ id: i + 1, tags: t, note: TEXTS[i % TEXTS.length] ?? null })))
  s.target(PALETTE("'red', 'blue'"))
}

const setUnused: Scenario = {
  name: "SET member 'green' removed while no row holds it: applied, every value identical",
  notOn: MARIADB_ONLY,
  async run(s) {
    await seedPalettes(s, SET_UNUSED)
    await s.diff('drop_green')
    const before = await capture(s, [{ table: 'palettes', columns: ['id', 'tags', 'note'] }])
    await expectPreserved(s, await s.cli('up'), before)
  },
}

const setInUse: Scenario = {
  name: "SET member 'green' removed while 2 rows hold it: refused",
  notOn: MARIADB_ONLY,
  async run(s) {
    await seedPalettes(s, SET_IN_USE)
    await s.diff('drop_green')
    const before = await s.db.dump()
    await expectRefused(s, await s.cli('up'), before, { mentions: ['palettes', 'tags'], counts: { tags: 2 }, consent: true })
  },
}

const handWrittenSet: Scenario = {
  name: "hand-written SET member removal over 2 rows holding 'green': refused",
  notOn: MARIADB_ONLY,
  async run(s) {
    await seedPalettes(s, SET_IN_USE)
    await s.handWritten('20240101000001', 'drop_green', "ALTER TABLE palettes MODIFY tags SET('red', 'blue');\n", "ALTER TABLE palettes MODIFY tags SET('red', 'green', 'blue');\n")
    const before = await s.db.dump()
    await expectRefused(s, await s.cli('up'), before, { mentions: ['palettes', 'tags'], counts: { tags: 2 }, consent: true })
  },
}

export const ENUMS: readonly Scenario[] = [
  removalUnused('none'),
  removalInUse('none'),
  removalUnused('kept'),
  removalInUse('kept'),
  removalUnused('onRemoved'),
  handWrittenEnum,
  setUnused,
  setInUse,
  handWrittenSet,
]
