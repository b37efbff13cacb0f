import type { Db } from '../../db.js'

/**
 * Which schemas a PostgreSQL connection works in when the config names none (Atlas's schema vs
 * database scope): the schemas of the `search_path` its URL sets (`?search_path=foo` or
 * `?options=-csearch_path%3Dfoo`), otherwise every schema of the database that is not a system
 * schema, a platform's (PLATFORM_SCHEMAS) or an extension's own.
 */

/** The `search_path` a URL sets, as written: the `search_path` parameter, or `-c search_path=` in `options`. */
export function urlSearchPath(raw: string): string | undefined {
  const params = new URL(raw).searchParams
  const direct = params.get('search_path')
  if (direct !== null) return direct
  const options = params.get('options')
  if (options === null) return undefined
  // libpq options: `-c name=value` or `-cname=value`, spaces inside a value escaped with a backslash.
  const match = /(?:^|\s)-c\s*search_path=((?:\\.|[^\s\\])*)/.exec(options)
  return match === null ? undefined : match[1]!.replace(/\\(.)/g, '$1')
}

/**
 * `raw` bound to the one schema `schema` (a tenant's): its `search_path` parameter replaced, so
 * unqualified names, the history table and the lock named after it all live in that schema.
 */
export function urlWithSearchPath(raw: string, schema: string): string {
  const url = new URL(raw)
  // Quoted only when it must be: a plain lowercase name keeps the URL readable in fleet reports.
  url.searchParams.set('search_path', /^[a-z_][a-z0-9_$]*$/.test(schema) ? schema : `"${schema.replace(/"/g, '""')}"`)
  return url.toString()
}

/**
 * The schema names of a `search_path` value (`"$user", public`, `foo,"Bar"`), in order, without
 * the implicit system schemas; `$user` stays as written for the caller to resolve.
 */
export function parseSearchPath(value: string): string[] {
  const names: string[] = []
  const item = /\s*(?:"((?:[^"]|"")*)"|([^,\s]+))\s*(?:,|$)/gy
  for (let match = item.exec(value); match !== null && match[0] !== ''; match = item.exec(value)) {
    const name = match[1] !== undefined ? match[1].replace(/""/g, '"') : match[2]!.toLowerCase()
    if (name === 'pg_catalog' || name === 'pg_temp' || name === 'information_schema') continue
    if (!names.includes(name)) names.push(name)
  }
  return names
}

/**
 * The scope the URL binds the connection to: the schemas of its `search_path`, `$user` as the
 * current user's schema when that exists (PostgreSQL skips it otherwise); undefined when the URL
 * sets none.
 */
export async function urlScope(db: Db, raw: string): Promise<readonly string[] | undefined> {
  if (urlSearchPath(raw) === undefined) return undefined
  const [row] = await db.query<{ path: string; user: string; has_user: boolean }>(
    `SELECT current_setting('search_path') AS path, current_user AS user,
            EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = current_user) AS has_user`,
  )
  if (row === undefined) return undefined
  const names = parseSearchPath(row.path).flatMap((name) => (name !== '$user' ? [name] : row.has_user ? [row.user] : []))
  return [...new Set(names)]
}

/**
 * Schemas that hosted platforms and common extensions create and manage themselves: Supabase's
 * (auth, storage, realtime, vault, …), the `extensions` schema such platforms install extensions
 * into, PostGIS's topology and TimescaleDB's catalogs. A project's target declares none of them, so
 * in database scope they would all be proposed for dropping. They are left out of the default scope
 * like the system schemas; naming one in `schemas` manages it all the same. (Schemas an extension
 * owns outright, pg_depend deptype `e`, are left out whatever their name.)
 */
export const PLATFORM_SCHEMAS: readonly string[] = [
  '_analytics', '_realtime', '_timescaledb_cache', '_timescaledb_catalog', '_timescaledb_config', '_timescaledb_functions',
  '_timescaledb_internal', 'auth', 'cron', 'extensions', 'graphql', 'graphql_public', 'net', 'pgbouncer', 'pgsodium',
  'pgsodium_masks', 'pgtle', 'realtime', 'repack', 'storage', 'supabase_functions', 'supabase_migrations',
  'timescaledb_experimental', 'timescaledb_information', 'topology', 'vault',
]

/**
 * Every user schema of the database: what a connection without a scope inspects and diffs. Not the
 * system schemas, the platform ones above, nor those an extension owns.
 */
export const DATABASE_SCHEMAS = `
SELECT n.nspname AS name FROM pg_catalog.pg_namespace n
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
   AND n.nspname <> ALL(?::text[])
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                    WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')
 ORDER BY n.nspname <> 'public', n.nspname`

/** The schemas of the database a scope-less inspection covers, `public` first. */
export async function databaseSchemas(db: Db): Promise<string[]> {
  return (await db.query<{ name: string }>(DATABASE_SCHEMAS, [PLATFORM_SCHEMAS])).map((r) => r.name)
}
