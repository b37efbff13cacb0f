import { describe, expect, it } from 'vitest'
import { parseBackfillDirectives, renderBackfillDirective } from '../../src/backfill/directive.js'
import { throttleDelay } from '../../src/backfill/run.js'
import { specId } from '../../src/backfill/spec.js'

describe('-- migrator:backfill directives', () => {
  it('reads bare and quoted values from the leading comment block only', () => {
    const text = [
      '-- backfill names',
      '-- migrator:no-transaction',
      '-- migrator:backfill table=users set="name = upper(email)" where="name IS NULL" batch=1000',
      '-- migrator:backfill table=t schema=app set="\\"Quoted\\" = \'a \\\\ b\'" where="x IS NULL" batch=5 key=a,b sleep=20 rate=500',
      '',
      'SELECT 1;',
      '-- migrator:backfill table=ignored set=x=1 where=y batch=1',
    ].join('\n')
    expect(parseBackfillDirectives(text, 'f.up.sql')).toEqual([
      { line: 3, spec: { table: 'users', set: 'name = upper(email)', where: 'name IS NULL', batch: 1000 }, throttle: {} },
      {
        line: 4,
        spec: { table: 't', schema: 'app', set: `"Quoted" = 'a \\ b'`, where: 'x IS NULL', batch: 5, key: ['a', 'b'] },
        throttle: { sleepMs: 20, maxRowsPerSecond: 500 },
      },
    ])
  })

  it('renders directives that parse back to the same spec', () => {
    const spec = { table: 'users', schema: 'public', set: `"a" = 'x "y"' || b`, where: '"a" IS NULL', batch: 250, key: ['id'] }
    const line = renderBackfillDirective(spec, { sleepMs: 10 })
    expect(line).toBe(`-- migrator:backfill table=users schema=public set="\\"a\\" = 'x \\"y\\"' || b" where="\\"a\\" IS NULL" batch=250 key=id sleep=10`)
    expect(parseBackfillDirectives(line, 'f')[0]).toEqual({ line: 1, spec, throttle: { sleepMs: 10 } })
  })

  it.each([
    ['table=users set="a = 1" where="a IS NULL"', 'f.up.sql:1: backfill needs batch=…'],
    ['table=users set="a = 1" where="a IS NULL" batch=0', 'f.up.sql:1: backfill option batch must be an integer ≥ 1; got "0"'],
    ['table=users set="a = 1" where="a IS NULL" batch=10 size=3', 'f.up.sql:1: unknown backfill option "size"'],
    ['table=users table=x set="a = 1" where="a IS NULL" batch=10', 'f.up.sql:1: backfill option "table" given twice'],
    ['table=users set="a = 1 where="a IS NULL" batch=10', 'f.up.sql:1: expected a space after the quoted value of set'],
    ['table=users set="a = 1" where="a IS NULL batch=10', 'f.up.sql:1: unterminated quote in backfill option where'],
  ])('rejects %s', (body, message) => {
    expect(() => parseBackfillDirectives(`-- migrator:backfill ${body}`, 'f.up.sql')).toThrow(message)
  })

  it('keys checkpoints by what the backfill does, not by its batch size', () => {
    const a = { table: 'users', set: 'a = 1', where: 'a IS NULL', batch: 10 }
    expect(specId(a)).toBe(specId({ ...a, batch: 999 }))
    expect(specId(a)).not.toBe(specId({ ...a, where: 'a IS NULL AND b' }))
  })

  it('paces to the slower of sleepMs and maxRowsPerSecond', () => {
    expect(throttleDelay({}, 1000, 10)).toBe(0)
    expect(throttleDelay({ sleepMs: 50 }, 1000, 10)).toBe(50)
    expect(throttleDelay({ maxRowsPerSecond: 1000 }, 1000, 400)).toBe(600)
    expect(throttleDelay({ sleepMs: 50, maxRowsPerSecond: 1000 }, 1000, 2000)).toBe(50)
  })
})
