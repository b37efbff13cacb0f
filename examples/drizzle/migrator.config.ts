import { defineConfig } from 'migrator'

export default defineConfig({
  url: process.env.DATABASE_URL ?? 'sqlite:./dev.db',
  dir: './migrations',
  // Every file of the drizzle-orm schema; migrator asks drizzle-kit for the SQL that creates it.
  target: './src/db/schema/*.ts',
})
