import { describe, expect, it } from 'vitest'
import { parseDuration } from '../../../src/config/duration.js'

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['5s', 5000],
    ['1.5s', 1500],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['250', 250],
    [' 3s ', 3000],
    [0, 0],
    [750, 750],
  ] as const)('%j → %d ms', (input, ms) => {
    expect(parseDuration(input)).toBe(ms)
  })

  it.each(['fast', '', '5 seconds', '-1s', '5d', 's'])('rejects %j', (input) => {
    expect(parseDuration(input)).toBeUndefined()
  })

  it('rejects negative and non-finite numbers', () => {
    expect(parseDuration(-1)).toBeUndefined()
    expect(parseDuration(Number.NaN)).toBeUndefined()
    expect(parseDuration(Number.POSITIVE_INFINITY)).toBeUndefined()
  })
})
