// The worked example's config: a local SQLite file by default, any database through DATABASE_URL.
import type { Config } from 'migrator'

export default {
  url: process.env.DATABASE_URL ?? 'sqlite:./dev.db',
  dir: './migrations',
  target: './schema.sql',
  envs: {
    production: { url: process.env.PROD_DATABASE_URL },
  },
} satisfies Config
