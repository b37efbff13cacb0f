import { describe, expect, it } from 'vitest'
import { commonText, decimalText, jsonText, proofText, timestampText } from '../../../src/copy/values.js'
import { parseCommonDefault } from '../../../src/copy/defaults.js'

describe('the common text form of copied values', () => {
  it('writes decimals without trailing zeros or exponents', () => {
    expect(decimalText('1.50')).toBe('1.5')
    expect(decimalText('2.000')).toBe('2')
    expect(decimalText('-0.00')).toBe('0')
    expect(decimalText('100')).toBe('100')
    expect(decimalText('1.0e+20')).toBe('100000000000000000000')
    expect(decimalText('-1.5e-3')).toBe('-0.0015')
  })

  it('shifts timestamps with an offset to UTC and keeps the fraction', () => {
    expect(timestampText('2024-03-10 12:34:56.123456+02')).toBe('2024-03-10 10:34:56.123456')
    expect(timestampText('2024-03-10T12:34:56.500000Z')).toBe('2024-03-10 12:34:56.5')
    expect(timestampText('2024-01-01 00:30:00-05:30')).toBe('2024-01-01 06:00:00')
    expect(timestampText('2024-01-01 00:00:00.000000')).toBe('2024-01-01 00:00:00')
    expect(timestampText('not a time')).toBe('not a time')
  })

  it('gives booleans, binary, JSON and UUIDs one spelling whatever the engine returned', () => {
    for (const raw of [true, 1, '1', 't', 'true']) expect(commonText(raw, { kind: 'boolean' })).toBe('true')
    for (const raw of [false, 0, '0', 'f']) expect(commonText(raw, { kind: 'boolean' })).toBe('false')
    // A MySQL tinyint(1) holding 2 is not silently true.
    expect(commonText(2, { kind: 'boolean' })).toBe('2')
    expect(commonText(Buffer.from([0, 255, 16]), { kind: 'binary' })).toBe('00ff10')
    expect(jsonText('{"b": 1, "a": {"d": [1, 2], "c": null}}')).toBe('{"a":{"c":null,"d":[1,2]},"b":1}')
    expect(commonText('A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', { kind: 'uuid' })).toBe('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11')
    expect(commonText('ab ', { kind: 'text', length: 3, fixed: true })).toBe('ab')
    expect(commonText(null, { kind: 'text' })).toBeNull()
  })

  it('compares floats at the precision of the source column', () => {
    // A 4-byte float read as a double on one side and as its shortest text on the other.
    expect(proofText(String(Math.fround(3.1415927)), { kind: 'float', bits: 24 })).toBe(proofText('3.1415927', { kind: 'float', bits: 24 }))
    expect(proofText('0.1', { kind: 'float', bits: 53 })).toBe(proofText(String(0.1), { kind: 'float', bits: 53 }))
    expect(proofText('0.1', { kind: 'float', bits: 53 })).not.toBe(proofText('0.2', { kind: 'float', bits: 53 }))
  })
})

describe('defaults that translate between dialects', () => {
  it('reads literals and the current time; refuses expressions', () => {
    expect(parseCommonDefault("'it''s'", { kind: 'text' })).toEqual({ kind: 'literal', value: "it's" })
    expect(parseCommonDefault('0.00', { kind: 'decimal', precision: 12, scale: 2 })).toEqual({ kind: 'literal', value: '0' })
    expect(parseCommonDefault('1', { kind: 'boolean' })).toEqual({ kind: 'literal', value: 'true' })
    expect(parseCommonDefault('current_timestamp(6)', { kind: 'timestamp', zone: false })).toEqual({ kind: 'now' })
    expect(parseCommonDefault('now()', { kind: 'timestamp', zone: true })).toEqual({ kind: 'now' })
    expect(parseCommonDefault('gen_random_uuid()', { kind: 'uuid' })).toBeUndefined()
    expect(parseCommonDefault("'abc'", { kind: 'integer', bytes: 4 })).toBeUndefined()
  })
})
