import { CORPUS_MISSING, corpusAvailable, corpusRequired } from './corpus.js'

/**
 * vitest globalSetup: the one notice of a run without the real-world corpus (test/helpers/corpus.ts).
 * Its suites are skipped then, or fail under CI=true.
 */
export default function setup(): void {
  if (corpusAvailable) return
  process.stderr.write(
    corpusRequired
      ? `\nerror: ${CORPUS_MISSING}; under CI=true the corpus suites fail\n\n`
      : `\nnotice: ${CORPUS_MISSING}; the corpus suites are skipped (the project's own fixtures in test/fixtures/ still run)\n\n`,
  )
}
