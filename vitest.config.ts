import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Real databases: each file creates and drops its own database, so files may run in parallel.
    pool: 'forks',
    maxWorkers: 2,
    // Finds or starts a MySQL 8 server for the MySQL dialect tests (skipped without one); says
    // once when the optional real-world fixture corpus is missing.
    globalSetup: ['test/helpers/mysql8-setup.ts', 'test/helpers/corpus-setup.ts'],
  },
})
