import { sql } from 'drizzle-orm'
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

// drizzle's casing option (as in drizzle.config.ts): `createdAt` is the column created_at.
export const casing = 'snake_case'

// Declared renames, names as in the database: a real RENAME that keeps the rows. Add one when a
// column or table is renamed below, e.g. { table: 'users', from: 'name', to: 'full_name' }.
export const renames = []

export const teams = sqliteTable('teams', {
  id: integer().primaryKey({ autoIncrement: true }),
  name: text().notNull(),
  slug: text().notNull(),
}, (t) => [uniqueIndex('teams_slug').on(t.slug)])

export const users = sqliteTable('users', {
  id: integer().primaryKey(),
  teamId: integer().notNull().references(() => teams.id, { onDelete: 'cascade' }),
  email: text().notNull(),
  name: text(),
  role: text({ enum: ['member', 'admin'] }).notNull().default('member'),
  settings: text({ mode: 'json' }).default(sql`'{}'`),
  createdAt: text().notNull().default(sql`CURRENT_TIMESTAMP`),
}, (t) => [
  uniqueIndex('users_email').on(t.email),
  index('users_team_created').on(t.teamId, t.createdAt),
  check('users_role', sql`${t.role} in ('member', 'admin')`),
])
