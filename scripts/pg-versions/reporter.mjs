/**
 * vitest reporter of `npm run test:pg-versions`: writes counts and every failure (test name, error
 * message) as JSON to the file named by MIGRATOR_PG_VERSIONS_REPORT when the run ends. The JSON
 * reporter keeps only stacks, which for a timeout say nothing.
 */
import { writeFileSync } from 'node:fs'

const firstLine = (text) => String(text ?? '').split('\n').find((line) => line.trim() !== '')?.trim().slice(0, 300) ?? ''
const describe = (error) => firstLine(`${error.name && !String(error.message).startsWith(error.name) ? `${error.name}: ` : ''}${error.message}`)

export default class PgVersionsReporter {
  onTestRunEnd(testModules, unhandledErrors) {
    const summary = { passed: 0, failed: 0, skipped: 0, failures: [] }
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const { state, errors = [] } = test.result()
        if (state === 'passed') summary.passed++
        else if (state === 'failed') {
          summary.failed++
          summary.failures.push({ file: module.relativeModuleId, name: test.fullName, error: describe(errors[0] ?? {}) })
        } else summary.skipped++
      }
      // A file can fail outside any test: an import error or a failing beforeAll/afterAll hook.
      for (const error of module.errors()) summary.failures.push({ file: module.relativeModuleId, name: '(file)', error: describe(error) })
    }
    for (const error of unhandledErrors) summary.failures.push({ file: '(run)', name: 'unhandled error', error: describe(error) })
    writeFileSync(process.env.MIGRATOR_PG_VERSIONS_REPORT, JSON.stringify(summary))
  }
}
