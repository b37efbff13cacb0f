import type { DatabaseUrl } from '../../config/url.js'
import type { Db } from '../../db.js'
import { ConnectionError } from '../../errors.js'
import { describeContents } from '../dev-contents.js'
import { guardScratch } from '../scratch-exit.js'
import { connect } from './connect.js'

/** One thing a database holds: how the not-empty error names it and how the clean-up drops it. */
interface Content {
  readonly kind: string
  readonly name: string
  readonly drop: string
}

/** What a devUrl database held when it was opened: schemas and extensions may be there, and stay. */
interface Baseline {
  readonly schemas: ReadonlySet<string>
  readonly extensions: ReadonlySet<string>
}

/**
 * Opens a devUrl database as a scratch database. It must hold no user objects (schemas and
 * extensions may exist; they are kept); otherwise ConnectionError naming what is there. `drop()`,
 * and a SIGINT/SIGTERM/SIGHUP before it takes effect, returns it to exactly those schemas and
 * extensions with nothing in them, and fails naming anything that could not be dropped. Only
 * SIGKILL (or a second signal) can leave objects behind; the next run then names them.
 */
export async function openDev<D extends { readonly db: Db; close(): Promise<void> }>(
  url: DatabaseUrl,
  open: (url: DatabaseUrl) => Promise<D>,
): Promise<D & { drop(): Promise<void> }> {
  const driver = await open(url)
  let baseline: Baseline
  let pid: number
  try {
    const found = await contentsOf(driver.db)
    const objects = found.filter((c) => c.kind !== 'schema' && c.kind !== 'extension')
    if (objects.length > 0) {
      throw new ConnectionError(`dev database ${url.redacted} is not empty: ${describeContents(objects)}; point devUrl at an empty database`)
    }
    baseline = {
      schemas: new Set(found.filter((c) => c.kind === 'schema').map((c) => c.name)),
      extensions: new Set(found.filter((c) => c.kind === 'extension').map((c) => c.name)),
    }
    pid = Number((await driver.db.query<{ pid: number }>('SELECT pg_catalog.pg_backend_pid() AS pid'))[0]?.pid)
  } catch (error) {
    await driver.close()
    throw error
  }
  const drop = guardScratch({
    drop: async () => {
      try {
        await clear(driver.db, baseline, url)
      } finally {
        await driver.close()
      }
    },
    abort: async () => {
      // Not awaited: a statement may be running on our session; terminating it ends that.
      void driver.close().catch(() => undefined)
      const fresh = await connect(url)
      try {
        await fresh.db.query('SELECT pg_catalog.pg_terminate_backend(?)', [pid])
        await clear(fresh.db, baseline, url)
      } finally {
        await fresh.close()
      }
    },
    // Emptying takes queries, which an exiting process cannot wait for; the next run names what is left.
    abandon: () => undefined,
  })
  return Object.assign(driver, { drop })
}

/** Drops everything that is not in `baseline`, then checks that nothing is left. */
async function clear(db: Db, baseline: Baseline, url: DatabaseUrl): Promise<void> {
  for (const content of extra(await contentsOf(db), baseline)) await db.exec(content.drop)
  const left = extra(await contentsOf(db), baseline)
  if (left.length > 0) {
    throw new ConnectionError(`could not empty dev database ${url.redacted}: it still holds ${describeContents(left)}; drop them by hand before the next run`)
  }
}

/** New schemas and extensions first (their CASCADE takes most with it), then every object. */
function extra(found: readonly Content[], baseline: Baseline): Content[] {
  return found.filter((c) => (c.kind === 'schema' ? !baseline.schemas.has(c.name) : c.kind === 'extension' ? !baseline.extensions.has(c.name) : true))
}

function contentsOf(db: Db): Promise<Content[]> {
  return db.query<Content>(CONTENTS)
}

// Every user schema and extension, then every object a target can create, in drop order: what
// an extension owns or another object owns implicitly (identity and serial sequences, array and
// row types, partitions) goes with its owner and is left out, so each listed DROP can succeed;
// a composite type is listed as its type, not its pg_class row.
// Statements carry IF EXISTS and CASCADE because an earlier one may already have taken them.
const CONTENTS = `
WITH ns AS (
  SELECT oid, nspname FROM pg_catalog.pg_namespace
   WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_%'
), owned AS (
  -- A partitioned table depends internally on its own key columns: that is not an owner.
  SELECT classid, objid FROM pg_catalog.pg_depend
   WHERE deptype IN ('a', 'i', 'e') AND NOT (refclassid = classid AND refobjid = objid)
), found AS (
  SELECT 0 AS ord, 'schema' AS kind, nspname AS name, 'DROP SCHEMA IF EXISTS ' || quote_ident(nspname) || ' CASCADE' AS drop FROM ns
  UNION ALL
  SELECT 1, 'extension', extname, 'DROP EXTENSION IF EXISTS ' || quote_ident(extname) || ' CASCADE' FROM pg_catalog.pg_extension
  UNION ALL
  SELECT 2, k.kind, n.nspname || '.' || c.relname, 'DROP ' || upper(k.kind) || ' IF EXISTS ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname) || ' CASCADE'
    FROM pg_catalog.pg_class c JOIN ns n ON n.oid = c.relnamespace
    JOIN (VALUES ('r', 'table'), ('p', 'table'), ('v', 'view'), ('m', 'materialized view'), ('S', 'sequence'), ('f', 'foreign table'))
      AS k (relkind, kind) ON k.relkind = c.relkind::text
   WHERE NOT c.relispartition AND NOT EXISTS (SELECT 1 FROM owned d WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid)
  UNION ALL
  SELECT 3, k.kind, n.nspname || '.' || p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')',
         'DROP ' || upper(k.kind) || ' IF EXISTS ' || quote_ident(n.nspname) || '.' || quote_ident(p.proname)
           || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ') CASCADE'
    FROM pg_catalog.pg_proc p JOIN ns n ON n.oid = p.pronamespace
    JOIN (VALUES ('f', 'function'), ('w', 'function'), ('p', 'procedure'), ('a', 'aggregate')) AS k (prokind, kind) ON k.prokind = p.prokind::text
   WHERE NOT EXISTS (SELECT 1 FROM owned d WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid)
  UNION ALL
  SELECT 4, CASE t.typtype WHEN 'd' THEN 'domain' ELSE 'type' END, n.nspname || '.' || t.typname,
         'DROP ' || CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END || ' IF EXISTS ' || quote_ident(n.nspname) || '.' || quote_ident(t.typname) || ' CASCADE'
    FROM pg_catalog.pg_type t JOIN ns n ON n.oid = t.typnamespace
   WHERE t.typtype IN ('b', 'c', 'd', 'e', 'r')
     AND (t.typrelid = 0 OR EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid AND c.relkind = 'c'))
     AND NOT EXISTS (SELECT 1 FROM owned d WHERE d.classid = 'pg_catalog.pg_type'::regclass AND d.objid = t.oid)
  UNION ALL
  SELECT 5, 'collation', n.nspname || '.' || c.collname, 'DROP COLLATION IF EXISTS ' || quote_ident(n.nspname) || '.' || quote_ident(c.collname) || ' CASCADE'
    FROM pg_catalog.pg_collation c JOIN ns n ON n.oid = c.collnamespace
   WHERE NOT EXISTS (SELECT 1 FROM owned d WHERE d.classid = 'pg_catalog.pg_collation'::regclass AND d.objid = c.oid)
  UNION ALL
  SELECT 6, 'operator', n.nspname || '.' || o.oprname,
         'DROP OPERATOR IF EXISTS ' || quote_ident(n.nspname) || '.' || o.oprname || ' ('
           || CASE WHEN o.oprleft = 0 THEN 'NONE' ELSE pg_catalog.format_type(o.oprleft, NULL) END || ', '
           || CASE WHEN o.oprright = 0 THEN 'NONE' ELSE pg_catalog.format_type(o.oprright, NULL) END || ') CASCADE'
    FROM pg_catalog.pg_operator o JOIN ns n ON n.oid = o.oprnamespace
   WHERE NOT EXISTS (SELECT 1 FROM owned d WHERE d.classid = 'pg_catalog.pg_operator'::regclass AND d.objid = o.oid)
  UNION ALL
  SELECT 7, 'text search configuration', n.nspname || '.' || c.cfgname,
         'DROP TEXT SEARCH CONFIGURATION IF EXISTS ' || quote_ident(n.nspname) || '.' || quote_ident(c.cfgname) || ' CASCADE'
    FROM pg_catalog.pg_ts_config c JOIN ns n ON n.oid = c.cfgnamespace
   WHERE NOT EXISTS (SELECT 1 FROM owned d WHERE d.classid = 'pg_catalog.pg_ts_config'::regclass AND d.objid = c.oid)
  UNION ALL
  SELECT 8, 'text search dictionary', n.nspname || '.' || c.dictname,
         'DROP TEXT SEARCH DICTIONARY IF EXISTS ' || quote_ident(n.nspname) || '.' || quote_ident(c.dictname) || ' CASCADE'
    FROM pg_catalog.pg_ts_dict c JOIN ns n ON n.oid = c.dictnamespace
   WHERE NOT EXISTS (SELECT 1 FROM owned d WHERE d.classid = 'pg_catalog.pg_ts_dict'::regclass AND d.objid = c.oid)
  UNION ALL
  SELECT 9, 'cast', pg_catalog.format_type(c.castsource, NULL) || ' AS ' || pg_catalog.format_type(c.casttarget, NULL),
         'DROP CAST IF EXISTS (' || pg_catalog.format_type(c.castsource, NULL) || ' AS ' || pg_catalog.format_type(c.casttarget, NULL) || ') CASCADE'
    FROM pg_catalog.pg_cast c
   WHERE c.oid >= 16384 AND NOT EXISTS (SELECT 1 FROM owned d WHERE d.classid = 'pg_catalog.pg_cast'::regclass AND d.objid = c.oid)
  UNION ALL
  SELECT 10, 'event trigger', e.evtname, 'DROP EVENT TRIGGER IF EXISTS ' || quote_ident(e.evtname) || ' CASCADE'
    FROM pg_catalog.pg_event_trigger e
   WHERE NOT EXISTS (SELECT 1 FROM owned d WHERE d.classid = 'pg_catalog.pg_event_trigger'::regclass AND d.objid = e.oid)
  UNION ALL
  SELECT 11, 'publication', p.pubname, 'DROP PUBLICATION IF EXISTS ' || quote_ident(p.pubname) FROM pg_catalog.pg_publication p
  UNION ALL
  SELECT 12, 'server', s.srvname, 'DROP SERVER IF EXISTS ' || quote_ident(s.srvname) || ' CASCADE'
    FROM pg_catalog.pg_foreign_server s
   WHERE NOT EXISTS (SELECT 1 FROM owned d WHERE d.classid = 'pg_catalog.pg_foreign_server'::regclass AND d.objid = s.oid)
  UNION ALL
  SELECT 13, 'foreign data wrapper', w.fdwname, 'DROP FOREIGN DATA WRAPPER IF EXISTS ' || quote_ident(w.fdwname) || ' CASCADE'
    FROM pg_catalog.pg_foreign_data_wrapper w
   WHERE NOT EXISTS (SELECT 1 FROM owned d WHERE d.classid = 'pg_catalog.pg_foreign_data_wrapper'::regclass AND d.objid = w.oid)
)
SELECT kind, name, drop FROM found ORDER BY ord, name`
