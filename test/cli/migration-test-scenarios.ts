import { expect } from 'vitest'
import type { TempProject } from './helpers.js'

/** Shared by the `migrator test` CLI tests of each dialect: migration directories, right and wrong. */
export type Flavor = 'postgres' | 'mysql' | 'sqlite'

const USERS = 'CREATE TABLE users (id integer PRIMARY KEY, email varchar(100) NOT NULL UNIQUE, name varchar(100));\n'
const POSTS = 'CREATE TABLE posts (id integer PRIMARY KEY, user_id integer NOT NULL, title varchar(200) NOT NULL, FOREIGN KEY (user_id) REFERENCES users (id));\n'

function dropIndex(flavor: Flavor, index: string, table: string): string {
  return flavor === 'mysql' ? `DROP INDEX ${index} ON ${table};\n` : `DROP INDEX ${index};\n`
}

/** What the second migration's down does wrong (or nothing, for `correct`). */
export type Scenario = 'correct' | 'forgets-index' | 'recreates-table' | 'leaves-column'

/**
 * Writes three migrations and records them in migrator.sum: users + posts (correct down), then one
 * that adds an index on users.name and a column posts.body (its down per `scenario`), then an
 * irreversible one (no down file).
 */
export async function writeMigrations(project: TempProject, flavor: Flavor, scenario: Scenario): Promise<void> {
  project.write('migrations/20240101000000_users_posts.up.sql', USERS + POSTS)
  project.write('migrations/20240101000000_users_posts.down.sql', 'DROP TABLE posts;\nDROP TABLE users;\n')
  project.write('migrations/20240102000000_index_and_body.up.sql', 'CREATE INDEX users_name ON users (name);\nALTER TABLE posts ADD COLUMN body varchar(500);\n')
  const downs: Record<Scenario, string> = {
    correct: dropIndex(flavor, 'users_name', 'users') + 'ALTER TABLE posts DROP COLUMN body;\n',
    'forgets-index': 'ALTER TABLE posts DROP COLUMN body;\n',
    // Puts posts back as it was, but empty: every row is lost.
    'recreates-table': dropIndex(flavor, 'users_name', 'users') + 'DROP TABLE posts;\n' + POSTS,
    'leaves-column': dropIndex(flavor, 'users_name', 'users'),
  }
  project.write('migrations/20240102000000_index_and_body.down.sql', downs[scenario])
  project.write('migrations/20240103000000_add_nick.up.sql', 'ALTER TABLE users ADD COLUMN nick varchar(30);\n')
  const hashed = await project.run(['hash'])
  expect(hashed.code, hashed.stderr).toBe(0)
}

interface Report {
  migrations: { version: string; name: string; status: string; step?: string; differences?: string[]; seeded?: string[]; notSeeded?: unknown[] }[]
  failed: number
}

/** Runs `migrator test --json` and returns its exit code and document. */
export async function runTest(project: TempProject, args: readonly string[] = []): Promise<{ code: number; report: Report; stderr: string }> {
  const result = await project.run(['test', '--json', ...args])
  return { code: result.code, report: JSON.parse(result.stdout) as Report, stderr: result.stderr }
}

/** The assertions every dialect shares, for each scenario. */
export async function expectScenario(project: TempProject, flavor: Flavor, scenario: Scenario, table: (name: string) => string): Promise<void> {
  await writeMigrations(project, flavor, scenario)
  const { code, report, stderr } = await runTest(project)
  const [first, second, third] = report.migrations
  expect(first, stderr).toMatchObject({ name: 'users_posts', status: 'pass' })
  expect(first?.seeded).toEqual([table('posts'), table('users')])
  expect(first?.notSeeded).toBeUndefined()
  if (scenario === 'correct') {
    expect(code, stderr).toBe(0)
    expect(second).toMatchObject({ name: 'index_and_body', status: 'pass' })
    expect(third).toMatchObject({ name: 'add_nick', status: 'irreversible' })
    expect(report.failed).toBe(0)
    return
  }
  expect(code, stderr).toBe(2)
  expect(report.failed).toBe(1)
  expect(second).toMatchObject({ name: 'index_and_body', status: 'fail', step: 'down' })
  // Nothing after a failed down is tested: the scratch database is not where it should be.
  expect(third).toMatchObject({ name: 'add_nick', status: 'not-run' })
  const differences = second?.differences ?? []
  if (scenario === 'forgets-index') {
    expect(differences).toEqual([`the down did not restore the schema (before the up → after the down): alter table ${table('users')}: add index users_name`])
  } else if (scenario === 'leaves-column') {
    expect(differences).toEqual([`the down did not restore the schema (before the up → after the down): alter table ${table('posts')}: add column body`])
  } else {
    // Three rows were seeded into posts after the up (ids continue the first migration's three).
    expect(differences).toHaveLength(1)
    expect(differences[0]).toMatch(new RegExp(`^table ${table('posts').replace('.', '\\.')} lost 3 of 3 rows \\(primary key \\d+, \\d+, \\d+\\)$`))
  }
}

/** The human output of a failing run names the migration, the step and the difference. */
export async function expectHumanFailure(project: TempProject, flavor: Flavor): Promise<void> {
  await writeMigrations(project, flavor, 'forgets-index')
  const result = await project.run(['test'])
  expect(result.code, result.stderr).toBe(2)
  expect(result.stdout).toContain('pass  20240101000000_users_posts')
  expect(result.stdout).toContain('FAIL  20240102000000_index_and_body at down:')
  expect(result.stdout).toContain('add index users_name')
  expect(result.stdout).toContain('1 passed, 1 failed')
}
