import type { Db } from '../../db.js'
import type { SoundnessFinding } from '../../safety/soundness.js'
import { quoteIdent } from './quote.js'

interface ConstraintRow {
  readonly name: string
  readonly schema: string
  readonly table: string
  readonly contype: 'f' | 'c'
  readonly validated: boolean
  readonly ref_schema: string | null
  readonly ref_table: string | null
  readonly columns: string[]
  readonly ref_columns: string[]
  readonly check_expr: string | null
}

/**
 * Reads only: indexes left INVALID (a failed or interrupted `CREATE INDEX CONCURRENTLY`),
 * constraints added NOT VALID and never validated (with the rows that violate them), and rows of
 * validated foreign keys whose parent is missing (loaded with triggers off or
 * session_replication_role = replica).
 */
export async function verifyPostgres(db: Db, schemas: readonly string[], exclude: readonly string[]): Promise<SoundnessFinding[]> {
  const findings: SoundnessFinding[] = []
  const invalid = await db.query<{ schema: string; index: string; table: string }>(
    `SELECT n.nspname AS schema, c.relname AS index, t.relname AS table
       FROM pg_index i
       JOIN pg_class c ON c.oid = i.indexrelid
       JOIN pg_class t ON t.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE NOT i.indisvalid AND n.nspname = ANY(?::text[])
      ORDER BY 1, 3, 2`,
    [schemas],
  )
  for (const row of invalid) {
    const table = `${row.schema}.${row.table}`
    findings.push({
      kind: 'invalid-index',
      table,
      object: row.index,
      message: `index ${row.schema}.${row.index} on ${table} is INVALID (a failed CREATE INDEX CONCURRENTLY leaves one): queries do not use it but writes still maintain it; rebuild it with REINDEX INDEX CONCURRENTLY ${quoteIdent(row.schema)}.${quoteIdent(row.index)}, or drop it`,
    })
  }

  const constraints = await db.query<ConstraintRow>(
    `SELECT con.conname AS name, n.nspname AS schema, t.relname AS table, con.contype, con.convalidated AS validated,
            pn.nspname AS ref_schema, pt.relname AS ref_table,
            ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(attnum, i)
                  JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.i) AS columns,
            ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(attnum, i)
                  JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.i) AS ref_columns,
            CASE WHEN con.contype = 'c' THEN pg_get_expr(con.conbin, con.conrelid) END AS check_expr
       FROM pg_constraint con
       JOIN pg_class t ON t.oid = con.conrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       LEFT JOIN pg_class pt ON pt.oid = con.confrelid
       LEFT JOIN pg_namespace pn ON pn.oid = pt.relnamespace
      WHERE n.nspname = ANY(?::text[]) AND t.relkind = 'r'
        AND (con.contype = 'f' OR (con.contype = 'c' AND NOT con.convalidated))
      ORDER BY 2, 3, 1`,
    [schemas],
  )
  for (const con of constraints) {
    if (exclude.includes(con.table)) continue
    const table = `${con.schema}.${con.table}`
    const violating = await db.query<{ n: string | number }>(`SELECT count(*) AS n FROM ${quoteIdent(con.schema)}.${quoteIdent(con.table)} c WHERE ${violation(con)}`)
    const rows = Number(violating[0]?.n ?? 0)
    const what = con.contype === 'f' ? `foreign key ${con.name} (${con.columns.join(', ')}) → ${con.ref_schema}.${con.ref_table}` : `check ${con.name} (${con.check_expr ?? ''})`
    const bad = con.contype === 'f' ? `${rows} row${rows === 1 ? '' : 's'} reference${rows === 1 ? 's' : ''} a missing parent` : `${rows} row${rows === 1 ? '' : 's'} violate${rows === 1 ? 's' : ''} it`
    const validate = `ALTER TABLE ${quoteIdent(con.schema)}.${quoteIdent(con.table)} VALIDATE CONSTRAINT ${quoteIdent(con.name)}`
    if (!con.validated) {
      findings.push({
        kind: 'not-validated',
        table,
        object: con.name,
        rows,
        message: `${table}: ${what} was added NOT VALID and never validated; ${rows === 0 ? `no row violates it: run ${validate}` : `${bad}: fix them, then run ${validate}`}`,
      })
    } else if (rows > 0) {
      findings.push({ kind: 'fk-orphans', table, object: con.name, rows, message: `${table}: ${what}: ${bad} (loaded with triggers off?); delete or fix them` })
    }
  }
  return findings
}

/** The WHERE condition matching rows of the constrained table (aliased `c`) that violate `con`. */
function violation(con: ConstraintRow): string {
  if (con.contype === 'c') return `NOT (${con.check_expr ?? 'true'})`
  // MATCH SIMPLE: a row with a NULL in the key references nothing and is not checked.
  const present = con.columns.map((c) => `c.${quoteIdent(c)} IS NOT NULL`).join(' AND ')
  const join = con.columns.map((c, i) => `p.${quoteIdent(con.ref_columns[i] ?? c)} = c.${quoteIdent(c)}`).join(' AND ')
  return `${present} AND NOT EXISTS (SELECT 1 FROM ${quoteIdent(con.ref_schema ?? '')}.${quoteIdent(con.ref_table ?? '')} p WHERE ${join})`
}
