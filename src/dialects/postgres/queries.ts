/**
 * Catalog queries of the inspector. Each one covers every inspected schema at once (`?::text[]`),
 * so inspection costs the same fixed number of round trips for 1 table or 10,000. Objects that
 * belong to an extension (pg_depend deptype `e`) are left out: the extension recreates them.
 */

/** Server features the queries depend on, as named predicates over `server_version_num`. */
export interface ServerFeatures {
  /** pg_trigger.tgparentid (13+): triggers cloned onto partitions. Before 13 clones were internal. */
  readonly triggerParent: boolean
  /** pg_index.indnullsnotdistinct (15+). */
  readonly nullsNotDistinct: boolean
}

export function serverFeatures(versionNum: number): ServerFeatures {
  return { triggerParent: versionNum >= 130000, nullsNotDistinct: versionNum >= 150000 }
}

const notExtensionMember = (classTable: string, oid: string): string =>
  `NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend dep WHERE dep.classid = '${classTable}'::regclass AND dep.objid = ${oid} AND dep.deptype = 'e')`

/**
 * An object's comment (obj_description / col_description) as an index lookup in pg_description:
 * those functions are SQL functions the planner cannot inline, a function call per row that cost
 * more than the rest of the row on a 1,000-table schema.
 */
const description = (classTable: string, oid: string, subId = '0'): string =>
  `(SELECT ds.description FROM pg_catalog.pg_description ds WHERE ds.objoid = ${oid} AND ds.classoid = '${classTable}'::regclass AND ds.objsubid = ${subId})`

export const TABLES = `
SELECT c.oid::int8 AS oid, n.nspname AS schema, c.relname AS name, c.relkind AS kind,
       c.relpersistence AS persistence, c.relispartition AS is_partition,
       CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END AS partition_by,
       CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END AS partition_bound,
       (SELECT pn.nspname || '.' || p.relname FROM pg_catalog.pg_inherits i
          JOIN pg_catalog.pg_class p ON p.oid = i.inhparent JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace
         WHERE i.inhrelid = c.oid AND c.relispartition) AS parent,
       (SELECT pn.nspname FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class p ON p.oid = i.inhparent
          JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace WHERE i.inhrelid = c.oid AND c.relispartition) AS parent_schema,
       (SELECT p.relname FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class p ON p.oid = i.inhparent
         WHERE i.inhrelid = c.oid AND c.relispartition) AS parent_name,
       array_to_string(c.reloptions, ', ') AS reloptions,
       c.relrowsecurity AS row_security, c.relforcerowsecurity AS force_row_security,
       ${description('pg_class', 'c.oid')} AS comment
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY(?::text[])
   AND ${notExtensionMember('pg_class', 'c.oid')}
 ORDER BY n.nspname, c.relname`

export const COLUMNS = `
SELECT a.attrelid::int8 AS table_oid, a.attnum AS num, a.attname AS name,
       pg_catalog.format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
       pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS default_expr,
       a.attidentity AS identity, a.attgenerated AS generated,
       CASE WHEN a.attcollation <> t.typcollation AND a.attcollation <> 0 THEN
         (SELECT CASE WHEN cn.nspname = 'pg_catalog' THEN pg_catalog.quote_ident(co.collname)
                 ELSE pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname) END
            FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
           WHERE co.oid = a.attcollation) END AS collation,
       ${description('pg_class', 'a.attrelid', 'a.attnum')} AS comment,
       -- A serial column has a nextval() default: only columns with a default need the lookup.
       CASE WHEN d.adbin IS NOT NULL THEN
         (SELECT s.oid::int8 FROM pg_catalog.pg_depend sd JOIN pg_catalog.pg_class s ON s.oid = sd.objid AND s.relkind = 'S'
           WHERE sd.classid = 'pg_class'::regclass AND sd.refclassid = 'pg_class'::regclass
             AND sd.refobjid = a.attrelid AND sd.refobjsubid = a.attnum AND sd.deptype = 'a'
             AND pg_catalog.pg_get_expr(d.adbin, d.adrelid) = 'nextval(' || pg_catalog.quote_literal(s.oid::regclass::text) || '::regclass)'
           LIMIT 1) END AS serial_seq,
       CASE WHEN a.attidentity <> '' THEN
         (SELECT json_build_object('start', s.seqstart::text, 'increment', s.seqincrement::text, 'min', s.seqmin::text,
                                   'max', s.seqmax::text, 'cache', s.seqcache::text, 'cycle', s.seqcycle)
            FROM pg_catalog.pg_depend sd JOIN pg_catalog.pg_sequence s ON s.seqrelid = sd.objid
           WHERE sd.classid = 'pg_class'::regclass AND sd.refclassid = 'pg_class'::regclass
             AND sd.refobjid = a.attrelid AND sd.refobjsubid = a.attnum AND sd.deptype = 'i'
           LIMIT 1) END AS identity_seq
  FROM pg_catalog.pg_attribute a
  JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY(?::text[]) AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attrelid, a.attnum`

export const CONSTRAINTS = `
SELECT co.conrelid::int8 AS table_oid, co.conname AS name, co.contype AS type,
       ARRAY(SELECT a.attname FROM unnest(co.conkey) WITH ORDINALITY k(num, ord)
               JOIN pg_catalog.pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = k.num ORDER BY k.ord)::text[] AS columns,
       rn.nspname AS ref_schema, r.relname AS ref_table,
       ARRAY(SELECT a.attname FROM unnest(co.confkey) WITH ORDINALITY k(num, ord)
               JOIN pg_catalog.pg_attribute a ON a.attrelid = co.confrelid AND a.attnum = k.num ORDER BY k.ord)::text[] AS ref_columns,
       co.confupdtype AS on_update, co.confdeltype AS on_delete, co.confmatchtype AS match_type,
       co.condeferrable AS deferrable, co.condeferred AS deferred, co.convalidated AS validated,
       co.connoinherit AS no_inherit,
       CASE WHEN co.contype IN ('p', 'f') THEN '' ELSE pg_catalog.pg_get_constraintdef(co.oid) END AS definition,
       ${description('pg_constraint', 'co.oid')} AS comment
  FROM pg_catalog.pg_constraint co
  JOIN pg_catalog.pg_class c ON c.oid = co.conrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_catalog.pg_class r ON r.oid = co.confrelid
  LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = r.relnamespace
 WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY(?::text[]) AND co.contype IN ('p', 'u', 'f', 'c', 'x')
   AND co.conparentid = 0 AND co.conislocal
 ORDER BY co.conrelid, co.conname`

/**
 * Indexes that do not back a constraint and were not created by attaching a partition. A key
 * part's collation is reported only where it is not the one its column (or expression type) has.
 */
export function indexesQuery(features: ServerFeatures): string {
  return `
SELECT i.indrelid::int8 AS table_oid, c.relkind AS table_kind, n.nspname AS schema, c.relname AS table_name,
       ic.relname AS name, i.indisunique AS is_unique, am.amname AS method,
       i.indnkeyatts AS key_count, i.indnatts AS count,
       pg_catalog.pg_get_expr(i.indpred, i.indrelid) AS predicate,
       ARRAY(SELECT CASE WHEN i.indkey[k - 1] = 0 THEN NULL
                         ELSE (SELECT a.attname FROM pg_catalog.pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = i.indkey[k - 1]) END
               FROM generate_series(1, i.indnatts) k ORDER BY k)::text[] AS columns,
       ARRAY(SELECT CASE WHEN i.indkey[k - 1] = 0 THEN pg_catalog.pg_get_indexdef(i.indexrelid, k, true) ELSE '' END
               FROM generate_series(1, i.indnatts) k ORDER BY k)::text[] AS exprs,
       ARRAY(SELECT i.indoption[k - 1] FROM generate_series(1, i.indnkeyatts) k ORDER BY k)::int[] AS flags,
       ARRAY(SELECT CASE WHEN oc.opcdefault THEN NULL
                         WHEN ocn.nspname = 'pg_catalog' THEN pg_catalog.quote_ident(oc.opcname)
                         ELSE pg_catalog.quote_ident(ocn.nspname) || '.' || pg_catalog.quote_ident(oc.opcname) END
               FROM generate_series(1, i.indnkeyatts) k
               JOIN pg_catalog.pg_opclass oc ON oc.oid = i.indclass[k - 1]
               JOIN pg_catalog.pg_namespace ocn ON ocn.oid = oc.opcnamespace ORDER BY k)::text[] AS opclasses,
       ARRAY(SELECT CASE WHEN i.indcollation[k - 1] = 0 OR i.indcollation[k - 1] = COALESCE(
                           (SELECT a.attcollation FROM pg_catalog.pg_attribute a
                             WHERE i.indkey[k - 1] <> 0 AND a.attrelid = i.indrelid AND a.attnum = i.indkey[k - 1]),
                           (SELECT t.typcollation FROM pg_catalog.pg_attribute ia JOIN pg_catalog.pg_type t ON t.oid = ia.atttypid
                             WHERE ia.attrelid = i.indexrelid AND ia.attnum = k)) THEN NULL
                         ELSE (SELECT CASE WHEN cn.nspname = 'pg_catalog' THEN pg_catalog.quote_ident(co.collname)
                                      ELSE pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname) END
                                 FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
                                WHERE co.oid = i.indcollation[k - 1]) END
               FROM generate_series(1, i.indnkeyatts) k ORDER BY k)::text[] AS collations,
       array_to_string(ic.reloptions, ', ') AS reloptions,
       ${features.nullsNotDistinct ? 'i.indnullsnotdistinct' : 'false'} AS nulls_not_distinct,
       ${description('pg_class', 'i.indexrelid')} AS comment,
       CASE WHEN c.relkind = 'm' THEN pg_catalog.pg_get_indexdef(i.indexrelid) ELSE '' END AS definition
  FROM pg_catalog.pg_index i
  JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_am am ON am.oid = ic.relam
 WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname = ANY(?::text[])
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint co WHERE co.conindid = i.indexrelid AND co.contype IN ('p', 'u', 'x'))
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits ih WHERE ih.inhrelid = i.indexrelid)
   AND ${notExtensionMember('pg_class', 'c.oid')}
 ORDER BY n.nspname, ic.relname`
}

export const VIEWS = `
SELECT n.nspname AS schema, c.relname AS name, c.relkind AS kind,
       pg_catalog.pg_get_viewdef(c.oid, true) AS definition,
       array_to_string(c.reloptions, ', ') AS reloptions,
       ${description('pg_class', 'c.oid')} AS comment
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('v', 'm') AND n.nspname = ANY(?::text[])
   AND ${notExtensionMember('pg_class', 'c.oid')}
 ORDER BY n.nspname, c.relname`

/** Sequences, except identity sequences (deptype `i`), which belong to their column. */
export const SEQUENCES = `
SELECT c.oid::int8 AS oid, n.nspname AS schema, c.relname AS name,
       pg_catalog.format_type(s.seqtypid, NULL) AS type, s.seqstart::text AS start, s.seqincrement::text AS increment,
       s.seqmin::text AS min, s.seqmax::text AS max, s.seqcache::text AS cache, s.seqcycle AS cycle,
       ${description('pg_class', 'c.oid')} AS comment
  FROM pg_catalog.pg_sequence s
  JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = ANY(?::text[])
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('i', 'e'))
 ORDER BY n.nspname, c.relname`

/**
 * Enum and domain types. A domain's checks are its CHECK constraints only: PostgreSQL 17 also
 * records NOT NULL as a constraint (contype `n`), which typnotnull already says.
 */
export const TYPES = `
SELECT n.nspname AS schema, t.typname AS name, t.typtype AS kind,
       ARRAY(SELECT e.enumlabel::text FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder)::text[] AS labels,
       pg_catalog.format_type(t.typbasetype, t.typtypmod) AS base_type, t.typnotnull AS not_null, t.typdefault AS default_expr,
       ARRAY(SELECT 'CONSTRAINT ' || pg_catalog.quote_ident(co.conname) || ' ' || pg_catalog.pg_get_constraintdef(co.oid)
               FROM pg_catalog.pg_constraint co WHERE co.contypid = t.oid AND co.contype = 'c' ORDER BY co.conname)::text[] AS checks,
       ${description('pg_type', 't.oid')} AS comment
  FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
 WHERE t.typtype IN ('e', 'd') AND n.nspname = ANY(?::text[])
   AND ${notExtensionMember('pg_type', 't.oid')}
 ORDER BY n.nspname, t.typname`

export const EXTENSIONS = `
SELECT e.extname AS name, n.nspname AS schema
  FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
 WHERE e.extname <> 'plpgsql' AND n.nspname = ANY(?::text[])
 ORDER BY e.extname`

/** Functions and procedures (prokind f/p); aggregates come from AGGREGATES. */
export const FUNCTIONS = `
SELECT n.nspname AS schema, p.proname AS name, pg_catalog.pg_get_function_identity_arguments(p.oid) AS args,
       p.prokind AS kind, pg_catalog.pg_get_functiondef(p.oid) AS definition,
       ${description('pg_proc', 'p.oid')} AS comment
  FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
 WHERE p.prokind IN ('f', 'p') AND n.nspname = ANY(?::text[])
   AND ${notExtensionMember('pg_proc', 'p.oid')}
 ORDER BY n.nspname, p.proname, 3`

export const AGGREGATES = `
SELECT n.nspname AS schema, p.proname AS name, pg_catalog.pg_get_function_identity_arguments(p.oid) AS args,
       a.aggtransfn::regproc::text AS sfunc, pg_catalog.format_type(a.aggtranstype, NULL) AS stype,
       CASE WHEN a.aggfinalfn <> 0 THEN a.aggfinalfn::regproc::text END AS finalfunc,
       CASE WHEN a.aggcombinefn <> 0 THEN a.aggcombinefn::regproc::text END AS combinefunc,
       a.agginitval AS initcond, CASE WHEN a.aggsortop <> 0 THEN a.aggsortop::regoperator::text END AS sortop,
       ${description('pg_proc', 'p.oid')} AS comment
  FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_aggregate a ON a.aggfnoid = p.oid
  JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
 WHERE p.prokind = 'a' AND a.aggkind = 'n' AND n.nspname = ANY(?::text[])
   AND ${notExtensionMember('pg_proc', 'p.oid')}
 ORDER BY n.nspname, p.proname, 3`

export const OPERATORS = `
SELECT n.nspname AS schema, o.oprname AS name, o.oprcode::regproc::text AS function,
       CASE WHEN o.oprleft <> 0 THEN pg_catalog.format_type(o.oprleft, NULL) END AS left_type,
       CASE WHEN o.oprright <> 0 THEN pg_catalog.format_type(o.oprright, NULL) END AS right_type,
       CASE WHEN o.oprcom <> 0 THEN o.oprcom::regoperator::text END AS commutator,
       CASE WHEN o.oprnegate <> 0 THEN o.oprnegate::regoperator::text END AS negator,
       CASE WHEN o.oprrest <> 0 THEN o.oprrest::regproc::text END AS restrict,
       CASE WHEN o.oprjoin <> 0 THEN o.oprjoin::regproc::text END AS join_fn
  FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace
 WHERE n.nspname = ANY(?::text[]) AND ${notExtensionMember('pg_operator', 'o.oid')}
 ORDER BY n.nspname, o.oprname`

export function triggersQuery(features: ServerFeatures): string {
  return `
SELECT n.nspname AS schema, c.relname AS table_name, t.tgname AS name, pg_catalog.pg_get_triggerdef(t.oid) AS definition,
       ${description('pg_trigger', 't.oid')} AS comment
  FROM pg_catalog.pg_trigger t
  JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE NOT t.tgisinternal AND n.nspname = ANY(?::text[])${features.triggerParent ? ' AND t.tgparentid = 0' : ''}
   AND ${notExtensionMember('pg_class', 'c.oid')}
 ORDER BY n.nspname, c.relname, t.tgname`
}


/** The inspected schemas themselves (those that exist), with their comments. */
export const SCHEMAS = `
SELECT n.nspname AS name, ${description('pg_namespace', 'n.oid')} AS comment
  FROM pg_catalog.pg_namespace n
 WHERE n.nspname = ANY(?::text[])
 ORDER BY n.nspname`

/**
 * Row-level security policies. Roles are sorted (the catalog keeps no order); role 0 is PUBLIC.
 * `pg_policy.polpermissive` exists since 10.
 */
export const POLICIES = `
SELECT n.nspname AS schema, c.relname AS table_name, p.polname AS name,
       CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END AS command,
       p.polpermissive AS permissive,
       ARRAY(SELECT CASE WHEN r.oid = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(r.oid)) END
               FROM unnest(p.polroles) r(oid) ORDER BY 1)::text[] AS roles,
       pg_catalog.pg_get_expr(p.polqual, p.polrelid) AS using_expr,
       pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) AS check_expr,
       ${description('pg_policy', 'p.oid')} AS comment
  FROM pg_catalog.pg_policy p
  JOIN pg_catalog.pg_class c ON c.oid = p.polrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = ANY(?::text[]) AND ${notExtensionMember('pg_class', 'c.oid')}
 ORDER BY n.nspname, c.relname, p.polname`
