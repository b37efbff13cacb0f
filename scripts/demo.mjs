#!/usr/bin/env node
// `npm run demo`: the main job end to end on an embedded SQLite database in a temp folder, printing
// what a user sees. Uses the built CLI (bin/migrator → dist/), exactly as an installed user would.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const bin = path.join(root, 'bin', 'migrator')
const work = mkdtempSync(path.join(os.tmpdir(), 'migrator-demo-'))
// The demo must not touch a database the user's environment points at.
const env = { ...process.env }
delete env.DATABASE_URL
const bold = (text) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text)

function step(title) {
  console.log(`\n${bold(`━━ ${title}`)}`)
}

function migrator(...args) {
  console.log(bold(`$ migrator ${args.join(' ')}`))
  // Inherited stdio keeps stdout (results) and stderr (progress) in the order a user sees them.
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: work, stdio: 'inherit', env })
  if (result.status !== 0 && result.status !== 2) {
    console.error(`demo: \`migrator ${args.join(' ')}\` exited with ${result.status}`)
    process.exit(1)
  }
}

function show(file) {
  console.log(bold(`--- ${file}`))
  process.stdout.write(readFileSync(path.join(work, file), 'utf8'))
}

const firstTarget = `CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  email TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE posts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  author_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  published_at TEXT
);
`

try {
  console.log(`demo folder: ${work}`)
  step('1. Scaffold a project')
  migrator('init')

  step('2. Declare the target schema (schema.sql) and generate the first migration')
  writeFileSync(path.join(work, 'schema.sql'), firstTarget)
  migrator('diff', 'create_blog')
  for (const file of readdirSync(path.join(work, 'migrations')).sort()) show(path.join('migrations', file))

  step('3. Apply it')
  migrator('up')
  migrator('status')

  step("4. Change the target: the repo's full example (display names, bodies, comments, a view)")
  writeFileSync(path.join(work, 'schema.sql'), readFileSync(path.join(root, 'schema.sql'), 'utf8'))
  migrator('diff', 'add_comments')
  migrator('up', '--dry-run')
  migrator('up')
  migrator('status')

  step('5. Roll the last migration back, and look at the state')
  migrator('down')
  migrator('status')
  migrator('inspect', '--format', 'mermaid')
} finally {
  rmSync(work, { recursive: true, force: true })
}
