import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, it } from 'vitest'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

/**
 * The optional real-world schema corpus (pagila, sakila, chinook, …): extra coverage on top of the
 * project's own fixtures in test/fixtures/. Found through MIGRATOR_FIXTURES_DIR, by default
 * `../shared/fixtures/real` relative to the repository root; it holds `postgres/`, `mysql/` and
 * `sqlite/` subdirectories. Read in place, never copied into the repository.
 */
export const CORPUS_DIR = path.resolve(ROOT, process.env.MIGRATOR_FIXTURES_DIR || '../shared/fixtures/real')

/** Whether the corpus is there (its three dialect directories). */
export const corpusAvailable = ['postgres', 'mysql', 'sqlite'].every((dialect) => existsSync(path.join(CORPUS_DIR, dialect)))

/** Under CI=true a missing corpus fails the run instead of skipping its suites. */
export const corpusRequired = process.env.CI === 'true'

/** What to say when the corpus is missing: where it was looked for and how to point at it. */
export const CORPUS_MISSING = `the real-world fixture corpus is not at ${CORPUS_DIR}; set MIGRATOR_FIXTURES_DIR to its directory (README "Tests")`

/** A file of the corpus: `corpusFile('sqlite', 'chinook.sql')`. */
export function corpusFile(dialect: 'postgres' | 'mysql' | 'sqlite', name = ''): string {
  return path.join(CORPUS_DIR, dialect, name)
}

/**
 * `describe` for tests that read the corpus. Without it `body` is never called (it may list the
 * corpus directory) and the suite is skipped (the one notice is printed by
 * test/helpers/corpus-setup.ts), except under CI=true, where it is a failing test.
 */
export function describeCorpus(name: string, body: () => void): void {
  if (corpusAvailable) describe(name, body)
  else if (corpusRequired) {
    describe(name, () => {
      it('needs the real-world fixture corpus (CI=true)', () => {
        throw new Error(CORPUS_MISSING)
      })
    })
  } else describe.skip(name, () => it('needs the real-world fixture corpus', () => undefined))
}
