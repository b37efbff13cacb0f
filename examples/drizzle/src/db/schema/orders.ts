import { relations, sql } from 'drizzle-orm'
import { check, index, integer, real, sqliteTable, sqliteView, text } from 'drizzle-orm/sqlite-core'
import { users } from './users.js'

export const orders = sqliteTable('orders', {
  id: integer().primaryKey({ autoIncrement: true }),
  userId: integer().notNull().references(() => users.id),
  total: real().notNull(),
  status: text({ enum: ['open', 'paid', 'cancelled'] }).notNull().default('open'),
}, (t) => [
  // A partial index: only the orders still open.
  index('orders_open').on(t.userId).where(sql`${t.status} = 'open'`),
  check('orders_total', sql`${t.total} >= 0`),
])

export const openOrders = sqliteView('open_orders', {}).as(sql`select id, user_id, total from orders where status = 'open'`)

// Relations are for drizzle's query API; they create nothing in the database.
export const ordersRelations = relations(orders, ({ one }) => ({ user: one(users, { fields: [orders.userId], references: [users.id] }) }))
