import { afterEach, describe, expect, it } from 'vitest'
import { diff } from '../../../src/api/diff.js'
import { LONG_TEXT, MAX_INT, MIN_INT, applyTarget, expectNoChangesCli, project, roundTrip, type Project } from './fidelity.js'

/**
 * SQLite compares identifiers with ASCII letters folded: `USERS` and `users` are one table. A
 * target that spells a table, column or index in other letter case names the same object; it is
 * renamed to the declared spelling (RENAME for tables and columns, drop + create for an index,
 * which holds no data), never dropped and re-created.
 */

const CURRENT = `
CREATE TABLE USERS (
  Id INTEGER PRIMARY KEY,
  Email TEXT NOT NULL,
  Bio TEXT,
  Score INTEGER,
  Avatar BLOB
);
CREATE UNIQUE INDEX IX_Users_Email ON USERS (Email);
CREATE TABLE Posts (
  Id INTEGER PRIMARY KEY,
  Author INTEGER NOT NULL REFERENCES USERS (Id),
  Title TEXT
);
CREATE VIEW UserEmails AS SELECT Id, Email FROM USERS;
CREATE TRIGGER Users_Lower AFTER INSERT ON USERS BEGIN UPDATE USERS SET Email = lower(NEW.Email) WHERE Id = NEW.Id; END;
`

const SEED = `
INSERT INTO USERS VALUES (1, 'a@example.com', NULL, ${MAX_INT}, x'00ff10'), (2, 'ünï@example.com', '${LONG_TEXT}', ${MIN_INT}, NULL), (3, 'c@example.com', '', 0, x'');
INSERT INTO Posts VALUES (1, 1, 'Hello'), (2, 2, NULL), (3, 2, '名前');
`

let p: Project | undefined
afterEach(() => p?.remove())

describe('SQLite identifier case', () => {
  it('a table, its columns and index spelled in other letter case are renamed, rows kept, no drop', async () => {
    p = project('case')
    const desired = CURRENT.replaceAll('IX_Users_Email', 'ix_users_email').replaceAll('USERS', 'users').replaceAll(' Email', ' email').replaceAll('.Email', '.email')
    const { forward } = await roundTrip(p, { current: CURRENT, seed: SEED, desired })
    expect(forward.up).toMatch(/ALTER TABLE "USERS" RENAME TO "_migrator_rename_users"/)
    expect(forward.up).toMatch(/ALTER TABLE "_migrator_rename_users" RENAME TO "users"/)
    expect(forward.up).toMatch(/ALTER TABLE "users" RENAME COLUMN "Email" TO "email"/)
    expect(forward.up).toMatch(/CREATE UNIQUE INDEX "ix_users_email" ON "users" \("email"\)/)
    // The view and trigger follow the renames: SQLite rewrites their stored text, so they are not recreated.
    expect(forward.up).not.toMatch(/DROP TABLE|INSERT INTO|DROP VIEW|DROP TRIGGER/)
    expect(forward.down).not.toMatch(/DROP TABLE|INSERT INTO|DROP VIEW|DROP TRIGGER/)
    expect(forward.lint.findings.filter((f) => f.severity === 'error')).toEqual([])
    // Queries still find the table under either spelling; row keys of SELECT * do change spelling.
    expect(forward.lint.findings.map((f) => f.code)).not.toContain('BC102')
    expect(forward.lint.findings.map((f) => f.code)).toContain('BC101')
  })

  it('a case-only rename together with a change that needs a rebuild: renamed, rebuilt, rows kept both ways', async () => {
    p = project('case-rebuild')
    const desired = CURRENT.replaceAll('USERS', 'users').replaceAll(' Email', ' email').replaceAll('.Email', '.email').replace('Score INTEGER', 'score BIGINT NOT NULL DEFAULT 0')
    const { forward } = await roundTrip(p, {
      current: CURRENT,
      seed: SEED,
      desired,
    })
    expect(forward.up).toMatch(/ALTER TABLE "_migrator_rename_users" RENAME TO "users"/)
    expect(forward.up).toMatch(/INSERT INTO "_migrator_new_users" \("Id", "email", "Bio", "score", "Avatar"\) SELECT "Id", "Email", "Bio", "Score", "Avatar" FROM "users"/)
  })

  it('after the rename the live spelling is the declared one, and the trigger still fires', async () => {
    p = project('case-live')
    p.target(CURRENT)
    await applyTarget(p, 'current')
    p.exec(SEED)
    p.target(CURRENT.replaceAll('USERS', 'users').replaceAll('Email', 'email'))
    await applyTarget(p, 'desired')
    await expectNoChangesCli(p)
    const schema = await p.schema()
    expect(schema.tables.map((t) => t.name)).toEqual(['Posts', 'users'])
    expect(schema.tables.find((t) => t.name === 'users')!.columns.map((c) => c.name)).toEqual(['Id', 'email', 'Bio', 'Score', 'Avatar'])
    p.exec("INSERT INTO users (Id, email) VALUES (4, 'MIXED@Example.COM')")
    expect(p.rows().users!.some((r) => r.includes('"mixed@example.com"'))).toBe(true)
  })

  it('references spelled in other letter case than the table they name are no change', async () => {
    p = project('case-refs')
    p.target(CURRENT)
    await applyTarget(p, 'current')
    p.target(CURRENT.replace('REFERENCES USERS (Id)', 'REFERENCES users (ID)').replace('FROM USERS;', 'FROM users;').replace('ON USERS (Email)', 'ON users (EMAIL)'))
    expect((await diff(p.config, { dryRun: true })).changes).toEqual([])
  })

  it('non-ASCII letters are not folded: "É" and "é" are two tables, "Ñ" and "ñ" two columns, each diffed on its own', async () => {
    p = project('case-non-ascii')
    const current = 'CREATE TABLE "É" (id INTEGER PRIMARY KEY, v TEXT);\nCREATE TABLE "é" (id INTEGER PRIMARY KEY, "Ñ" TEXT, "ñ" INTEGER);\nCREATE INDEX "ix_Ñ" ON "é" ("Ñ");\n'
    const seed = `INSERT INTO "É" VALUES (1, 'upper'), (2, NULL); INSERT INTO "é" VALUES (1, 'ñandú', ${MAX_INT}), (2, '${LONG_TEXT}', NULL), (3, NULL, ${MIN_INT});`
    const desired = current.replace('"ñ" INTEGER)', '"ñ" INTEGER, w TEXT)').replace('CREATE INDEX "ix_Ñ" ON "é" ("Ñ")', 'CREATE INDEX "ix_Ñ" ON "é" ("Ñ");\nCREATE INDEX "ix_ñ" ON "é" ("ñ")')
    const { forward } = await roundTrip(p, {
      current,
      seed,
      desired,
      expectRows: (before) => ({ ...before, é: before.é!.map((r) => `${r} | null`).sort() }),
    })
    expect(forward.up).toMatch(/ALTER TABLE "é" ADD COLUMN "w" text/)
    expect(forward.up).toMatch(/CREATE INDEX "ix_ñ" ON "é" \("ñ"\)/)
    expect(forward.up).not.toMatch(/DROP|RENAME|"É"/)
    expect((await p.schema()).tables.map((t) => t.name).sort()).toEqual(['É', 'é'])
  })

  it('a real change next to a case-only one still shows, and only it', async () => {
    p = project('case-real')
    const desired = CURRENT.replaceAll('Bio', 'bio').replace('Avatar BLOB\n', 'Avatar BLOB,\n  Nickname TEXT\n')
    const { forward } = await roundTrip(p, {
      current: CURRENT,
      seed: SEED,
      desired,
      expectRows: (before) => ({ ...before, users: before.users!.map((r) => `${r} | null`).sort() }),
    })
    expect(forward.up).toMatch(/RENAME COLUMN "Bio" TO "bio"/)
    expect(forward.up).toMatch(/ADD COLUMN "Nickname" text/)
    expect(forward.up).not.toMatch(/DROP TABLE/)
  })
})
