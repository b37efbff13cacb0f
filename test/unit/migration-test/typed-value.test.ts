import { describe, expect, it } from 'vitest'
import { typedValue } from '../../../src/migration-test/seed.js'

describe('typedValue for array types (PostgreSQL)', () => {
  it('is a one-element array literal of the element type\'s value, quoted and escaped', () => {
    expect(typedValue('text[]', 5)).toBe('{"seed 5 é ✓"}')
    expect(typedValue('integer[]', 5)).toBe('{"1000005"}')
    expect(typedValue('character varying(3)[]', 1234)).toBe('{"234"}')
    expect(typedValue('jsonb[]', 2)).toBe('{"{\\"seed\\":2,\\"text\\":\\"é ✓\\"}"}')
    // bytea in hex form (\x…), its backslash escaped inside the array literal.
    expect(typedValue('bytea[]', 1)).toBe(`{"\\\\x${Buffer.from('seed 1').toString('hex')}"}`)
  })

  it('leaves other types as they were', () => {
    expect(typedValue('text', 5)).toBe('seed 5 é ✓')
    expect(typedValue('integer', 5)).toBe(1_000_005)
  })
})
