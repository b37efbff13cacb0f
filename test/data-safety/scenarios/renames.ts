import { capture, expectPreserved } from '../outcome.js'
import type { Scenario } from '../scenario.js'
import type { Stage } from '../stage.js'
import { TEXTS } from '../values.js'

const NO_ZERO_DOWNTIME = { sqlite: 'diff --zero-downtime exists for PostgreSQL and MySQL/MariaDB only' }

function title(what: string, withDefault: boolean, zeroDowntime: boolean): string {
  return `${what}${withDefault ? ' with a DEFAULT' : ' without DEFAULT'}${zeroDowntime ? ', diff --zero-downtime, all phases applied' : ''}: every value kept`
}

/** Generates the migration; a zero-downtime diff writes several phase files, which one `up` then applies in order. */
async function generate(s: Stage, slug: string, zeroDowntime: boolean): Promise<void> {
  await s.diff(slug, ...(zeroDowntime ? ['--zero-downtime'] : []))
}

/** `-- migrator:rename column profiles.nickname to handle`: a real RENAME, the values stay. */
function rename(withDefault: boolean, zeroDowntime: boolean): Scenario {
  return {
    name: title('declared rename column profiles.nickname → handle', withDefault, zeroDowntime),
    notOn: zeroDowntime ? NO_ZERO_DOWNTIME : undefined,
    async run(s) {
      const dflt = withDefault ? " DEFAULT 'anon'" : ''
      await s.db.exec(`CREATE TABLE profiles (id ${s.t.int} PRIMARY KEY, nickname ${s.t.text}${dflt}, score ${s.t.int});`)
      await s.db.insert('profiles', TEXTS.map((nickname, i) => ({ id: i + 1, nickname, score: i - 2 })))
      if (withDefault) await s.db.insert('profiles', [{ id: 100, score: -2147483648 }])
      s.target(`-- migrator:rename column profiles.nickname to handle
CREATE TABLE profiles (id ${s.t.int} PRIMARY KEY, handle ${s.t.text}${dflt}, score ${s.t.int});
`)
      await generate(s, 'rename_nickname', zeroDowntime)
      const before = await capture(s, [{ table: 'profiles', columns: ['id', { from: 'nickname', to: 'handle' }, 'score'] }])
      await expectPreserved(s, await s.cli('up'), before, [{ table: 'profiles', column: 'nickname' }])
    },
  }
}

/** int → bigint holds every int: the boundary values must come through unchanged. */
function widen(withDefault: boolean, zeroDowntime: boolean): Scenario {
  return {
    name: title('type change counters.hits int → bigint (widening)', withDefault, zeroDowntime),
    notOn: zeroDowntime ? NO_ZERO_DOWNTIME : undefined,
    async run(s) {
      const dflt = withDefault ? ' DEFAULT 7' : ''
      await s.db.exec(`CREATE TABLE counters (id ${s.t.int} PRIMARY KEY, hits ${s.t.int}${dflt}, label ${s.t.text});`)
      const hits = [-2147483648, 2147483647, 0, -1, null, 1]
      await s.db.insert('counters', hits.map((h, i) => ({ id: i + 1, hits: h, label: TEXTS[i] ?? null })))
      if (withDefault) await s.db.insert('counters', [{ id: 100, label: 'default hits' }])
      s.target(`CREATE TABLE counters (id ${s.t.int} PRIMARY KEY, hits ${s.t.bigint}${dflt}, label ${s.t.text});\n`)
      await generate(s, 'widen_hits', zeroDowntime)
      const before = await capture(s, [{ table: 'counters', columns: ['id', 'hits', 'label'] }])
      await expectPreserved(s, await s.cli('up'), before)
    },
  }
}

export const RENAMES: readonly Scenario[] = [false, true].flatMap((zeroDowntime) =>
  [false, true].flatMap((withDefault) => [rename(withDefault, zeroDowntime), widen(withDefault, zeroDowntime)]),
)
