import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, pgAvailable, type TestDatabase } from '../helpers/postgres.js'
import { ROOT, tempProject, type TempProject } from './helpers.js'

const available = await pgAvailable()

/** The `npx migrator …` steps of one job of the workflow in docs/ci.md, as argument lists. */
function jobSteps(job: string): string[][] {
  const doc = readFileSync(path.join(ROOT, 'docs', 'ci.md'), 'utf8')
  const yaml = /```yaml\n([\s\S]*?)```/.exec(doc)![1]!
  const body = yaml.split(new RegExp(`\\n  ${job}:\\n`))[1]!.split(/\n {2}\w[\w-]*:\n/)[0]!
  return [...body.matchAll(/- run: npx migrator (.*)/g)].map((m) => m[1]!.split(' '))
}

/** The documented workflow, run step by step against a real PostgreSQL database. */
describe.skipIf(!available)('docs/ci.md: the GitHub Actions jobs run as written', () => {
  let database: TestDatabase
  let project: TempProject

  beforeAll(async () => {
    database = await createTestDatabase('mt_cli_ci')
    project = tempProject({
      'migrator.config.ts': "export default { url: process.env.DATABASE_URL, dir: './migrations', target: './schema.sql' }\n",
      'schema.sql': 'CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL UNIQUE);\n',
    })
    const generated = await project.run(['diff', 'create_users', '--from', 'dir'], { DATABASE_URL: database.url.raw })
    expect(generated.code, generated.stderr).toBe(0)
  })

  afterAll(async () => {
    project?.remove()
    await database?.drop()
  })

  it('the pull-request job passes on a fresh database, and fails once the schema has an ungenerated change', { timeout: 300_000 }, async () => {
    const steps = jobSteps('check')
    expect(steps.map((s) => s[0])).toEqual(['validate', 'lint', 'up', 'up', 'status', 'diff'])
    for (const args of steps) {
      const result = await project.run(args, { DATABASE_URL: database.url.raw })
      expect(result.code, `migrator ${args.join(' ')}: ${result.stderr}`).toBe(0)
    }
    project.write('schema.sql', 'CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL UNIQUE, name text);\n')
    const last = await project.run(steps.at(-1)!, { DATABASE_URL: database.url.raw })
    expect(last.code).toBe(2)
  })

  it('the main job applies and checks', { timeout: 300_000 }, async () => {
    const steps = jobSteps('migrate')
    expect(steps.map((s) => s[0])).toEqual(['validate', 'up', 'status'])
    for (const args of steps) {
      const result = await project.run(args, { DATABASE_URL: database.url.raw })
      expect(result.code, `migrator ${args.join(' ')}: ${result.stderr}`).toBe(0)
    }
  })
})
