import { describe, expect, it } from 'vitest'
import { withStrictMode } from '../../../src/dialects/mysql/strict.js'

// The sql_mode every MySQL/MariaDB session of migrator runs with (issue 9).
describe('withStrictMode', () => {
  it('adds STRICT_ALL_TABLES and keeps every other mode', () => {
    expect(withStrictMode('')).toBe('STRICT_ALL_TABLES')
    expect(withStrictMode('STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION')).toBe('STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION,STRICT_ALL_TABLES')
    expect(withStrictMode('ANSI_QUOTES,STRICT_ALL_TABLES')).toBe('ANSI_QUOTES,STRICT_ALL_TABLES')
  })
})
