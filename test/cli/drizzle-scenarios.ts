import type { DialectKey } from './dialect-databases.js'

/**
 * One drizzle-orm schema per dialect for the drizzle target tests: enums, foreign keys, unique /
 * partial / composite indexes, `defaultNow` and sql`…` defaults, identity or serial keys, JSON,
 * CHECKs and a view, split over two files (`src/db/schema/*.ts`) with drizzle's `casing` option;
 * then the same schema edited (a column added, an index added, a column renamed with a declared
 * rename) and that edit written as SQL, to compare the migrations both give.
 */
export interface DrizzleScenario {
  /** `src/db/schema/tables.ts` before the edit. */
  readonly tables: string
  /** `src/db/schema/views.ts`. */
  readonly views: string
  /** Rows inserted after the first `up` (users.name holds what the rename must keep). */
  readonly rows: string
  /** Fragments the first migration must hold. */
  readonly created: readonly RegExp[]
  /** tables.ts after the edit. */
  readonly edited: string
  /** Appended to the `inspect --format sql` of the first state: the same edit as SQL. */
  readonly editSql: string
}

/** The edit both ways: `users.name` → `full_name`, a `nickname` column, an index on it. */
const RENAMES = "export const renames = [{ table: 'users', from: 'name', to: 'full_name' }]\n"

const pgTables = (edited: boolean): string => `import { sql } from 'drizzle-orm'
import { bigint, boolean, check, index, integer, jsonb, numeric, pgEnum, pgSchema, pgTable, serial, text, timestamp, uniqueIndex, varchar } from 'drizzle-orm/pg-core'

export const casing = 'snake_case'
${edited ? RENAMES : ''}
export const mood = pgEnum('mood', ['sad', 'ok', 'happy'])
export const billing = pgSchema('billing')

export const teams = pgTable('teams', {
  id: integer().primaryKey().generatedAlwaysAsIdentity(),
  name: text().notNull(),
  slug: varchar({ length: 40 }).notNull(),
}, (t) => [uniqueIndex('teams_slug').on(t.slug)])

export const users = pgTable('users', {
  id: serial().primaryKey(),
  teamId: integer().notNull().references(() => teams.id, { onDelete: 'cascade' }),
  email: varchar({ length: 255 }).notNull(),
  ${edited ? 'fullName: text(),' : 'name: text(),'}
  mood: mood().default('ok'),
  meta: jsonb().default(sql\`'{}'::jsonb\`),
  balance: numeric({ precision: 12, scale: 2 }).default('0'),
  createdAt: timestamp({ withTimezone: true }).defaultNow().notNull(),
  active: boolean().default(true),${edited ? '\n  nickname: varchar({ length: 50 }),' : ''}
}, (t) => [
  uniqueIndex('users_email').on(t.email),
  index('users_team_created').on(t.teamId, t.createdAt).where(sql\`\${t.active}\`),
  check('users_email_at', sql\`\${t.email} like '%@%'\`),${edited ? "\n  index('users_nickname').on(t.nickname)," : ''}
])

export const invoices = billing.table('invoices', {
  id: bigint({ mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
  userId: integer().notNull().references(() => users.id),
  total: numeric({ precision: 12, scale: 2 }).notNull(),
}, (t) => [check('invoices_total_positive', sql\`\${t.total} >= 0\`)])
`

const mysqlTables = (edited: boolean): string => `import { sql } from 'drizzle-orm'
import { boolean, check, decimal, index, int, json, mysqlEnum, mysqlTable, text, timestamp, uniqueIndex, varchar } from 'drizzle-orm/mysql-core'

export const casing = 'snake_case'
${edited ? RENAMES : ''}
export const teams = mysqlTable('teams', {
  id: int().primaryKey().autoincrement(),
  name: varchar({ length: 400 }).notNull(),
  slug: varchar({ length: 40 }).notNull(),
}, (t) => [uniqueIndex('teams_slug').on(t.slug)])

export const users = mysqlTable('users', {
  id: int().primaryKey().autoincrement(),
  teamId: int().notNull().references(() => teams.id, { onDelete: 'cascade' }),
  email: varchar({ length: 255 }).notNull(),
  ${edited ? 'fullName: text(),' : 'name: text(),'}
  mood: mysqlEnum(['sad', 'ok', 'happy']).default('ok'),
  meta: json(),
  balance: decimal({ precision: 12, scale: 2 }).default('0.00'),
  score: int().default(sql\`(1 + 2)\`),
  createdAt: timestamp().defaultNow().notNull(),
  active: boolean().default(true),${edited ? '\n  nickname: varchar({ length: 50 }),' : ''}
}, (t) => [
  uniqueIndex('users_email').on(t.email),
  index('users_team_created').on(t.teamId, t.createdAt),
  check('users_email_at', sql\`\${t.email} like '%@%'\`),${edited ? "\n  index('users_nickname').on(t.nickname)," : ''}
])
`

const sqliteTables = (edited: boolean): string => `import { sql } from 'drizzle-orm'
import { check, index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

export const casing = 'snake_case'
${edited ? RENAMES : ''}
export const teams = sqliteTable('teams', {
  id: integer().primaryKey({ autoIncrement: true }),
  name: text().notNull(),
  slug: text().notNull(),
}, (t) => [uniqueIndex('teams_slug').on(t.slug)])

export const users = sqliteTable('users', {
  id: integer().primaryKey(),
  teamId: integer().notNull().references(() => teams.id, { onDelete: 'cascade' }),
  email: text().notNull(),
  ${edited ? 'fullName: text(),' : 'name: text(),'}
  mood: text({ enum: ['sad', 'ok', 'happy'] }).default('ok'),
  meta: text({ mode: 'json' }).default(sql\`'{}'\`),
  balance: real().default(0),
  createdAt: text().default(sql\`CURRENT_TIMESTAMP\`).notNull(),
  active: integer({ mode: 'boolean' }).default(true),${edited ? '\n  nickname: text(),' : ''}
}, (t) => [
  uniqueIndex('users_email').on(t.email),
  index('users_team_created').on(t.teamId, t.createdAt).where(sql\`\${t.active} = 1\`),
  check('users_mood', sql\`\${t.mood} in ('sad', 'ok', 'happy')\`),
  check('users_email_at', sql\`\${t.email} like '%@%'\`),${edited ? "\n  index('users_nickname').on(t.nickname)," : ''}
])
`

/** The same edit as SQL, given the type of the new column. */
const editSql = (nicknameType: string): string => `ALTER TABLE users RENAME COLUMN name TO full_name;
ALTER TABLE users ADD COLUMN nickname ${nicknameType};
CREATE INDEX users_nickname ON users (nickname);
-- migrator:rename column users.name to full_name
`

const viewFile = (fn: string, module: string): string =>
  `import { sql } from 'drizzle-orm'\nimport { ${fn} } from '${module}'\n\nexport const activeUsers = ${fn}('active_users', {}).as(sql\`select id, email from users where active\`)\n`

const ROWS = (extra: string): string => `INSERT INTO teams (name, slug) VALUES ('Zoë & co', 'zoe'), ('${'x'.repeat(300)}', 'long');
INSERT INTO users (team_id, email, name${extra === '' ? '' : ', meta'}) VALUES (1, 'a@example.com', 'Ada Lovelace'${extra}), (2, 'b@example.com', NULL${extra}), (1, 'c@example.com', '日本語 ✓'${extra});`

export const SCENARIOS: Readonly<Record<DialectKey, DrizzleScenario>> = {
  postgres: {
    tables: pgTables(false),
    views: viewFile('pgView', 'drizzle-orm/pg-core'),
    rows: `${ROWS(`, '{"plan": "pro"}'`)}\nINSERT INTO billing.invoices (user_id, total) VALUES (1, 9999999999.99), (2, 0);`,
    created: [
      /CREATE TYPE "public"\."mood" AS ENUM \('sad', 'ok', 'happy'\)/,
      /CREATE SCHEMA IF NOT EXISTS "billing"/,
      /"id" integer GENERATED ALWAYS AS IDENTITY/,
      /"id" bigint GENERATED BY DEFAULT AS IDENTITY/,
      /"id" serial/,
      /"created_at" timestamp with time zone DEFAULT now\(\) NOT NULL/,
      /"meta" jsonb DEFAULT '\{\}'::jsonb/,
      /CREATE INDEX "users_team_created" ON "public"\."users" \("team_id", "created_at"\) WHERE active/,
      /CREATE UNIQUE INDEX "users_email"/,
      /CONSTRAINT "users_email_at" CHECK/,
      /FOREIGN KEY \("team_id"\) REFERENCES "public"\."teams" \("id"\) ON DELETE CASCADE/,
      /CREATE VIEW "public"\."active_users"/,
    ],
    edited: pgTables(true),
    editSql: editSql('varchar(50)'),
  },
  mariadb: {
    tables: mysqlTables(false),
    views: viewFile('mysqlView', 'drizzle-orm/mysql-core'),
    rows: ROWS(`, '{"plan": "pro"}'`),
    created: [
      /`mood` enum\('sad','ok','happy'\) NULL DEFAULT 'ok'/,
      /`id` int NOT NULL AUTO_INCREMENT/,
      /`created_at` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP/,
      /`score` int NULL DEFAULT \(+1 \+ 2\)+/,
      /`meta` json/,
      /INDEX `users_team_created` \(`team_id`, `created_at`\)/,
      /UNIQUE INDEX `users_email`/,
      /CONSTRAINT `users_email_at` CHECK/,
      /FOREIGN KEY \(`team_id`\) REFERENCES `teams` \(`id`\) ON DELETE CASCADE/,
      /CREATE VIEW `active_users`/,
    ],
    edited: mysqlTables(true),
    editSql: editSql('varchar(50)'),
  },
  sqlite: {
    tables: sqliteTables(false),
    views: viewFile('sqliteView', 'drizzle-orm/sqlite-core'),
    rows: ROWS(`, '{"plan": "pro"}'`),
    created: [
      /`id` integer PRIMARY KEY AUTOINCREMENT|"id" integer PRIMARY KEY AUTOINCREMENT/i,
      /CURRENT_TIMESTAMP/,
      /CREATE INDEX "users_team_created" ON "users" \("team_id", "created_at"\) WHERE/,
      /CREATE UNIQUE INDEX "users_email"/,
      /CONSTRAINT "users_email_at" CHECK/,
      /REFERENCES "teams" \("id"\) ON DELETE CASCADE/i,
      /CREATE VIEW .?active_users/,
    ],
    edited: sqliteTables(true),
    editSql: editSql('text'),
  },
}
