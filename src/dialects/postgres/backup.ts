import { spawn } from 'node:child_process'
import type { DatabaseUrl } from '../../config/url.js'
import { MigratorError } from '../../errors.js'
import { CopyRowCounter, parseListing, schemaText } from './archive.js'
import { connect } from './connect.js'
import { exitError, libpqEnv, runTool, startError } from './tools.js'

/**
 * `pg_dump -Fc` of the whole database to `dest`, then verified: `pg_restore --list` must read it,
 * and list every table of the database (ordinary, partitioned) with, for each ordinary one, its
 * rows. Connection facts reach the tools through the libpq environment (PGHOST, PGPASSWORD, …),
 * never their command line. Throws a MigratorError when pg_dump is not on PATH, fails, or wrote
 * an archive that is not complete.
 */
export async function backupPostgres(url: DatabaseUrl, dest: string): Promise<void> {
  const env = libpqEnv(url)
  await runTool('pg_dump', ['--format=custom', '--no-password', `--file=${dest}`], env, 'backup', url)
  const listing = parseListing(await readListing(dest, env, url, 'backup'))
  const missing = (await liveTables(url)).filter((t) => !listing.tables.has(t.oid) || (!t.partitioned && !listing.data.has(t.oid)))
  if (missing.length > 0) {
    throw new MigratorError(
      'backup',
      `the backup ${dest} is not complete: ${missing.map((t) => t.name).join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing from its listing (pg_restore --list); do not rely on it — take another backup`,
    )
  }
}

/**
 * Replaces the database with a `backup` archive, exactly: in ONE transaction (psql
 * --single-transaction) every schema is dropped (`public` is recreated with its owner, grants and
 * comment), so nothing created after the backup survives, then the archive's script
 * (`pg_restore --file=-`) recreates every object with its rows; any failure rolls all of it back,
 * and a pg_restore that stops midway aborts the transaction instead of committing a part. Then
 * verified: each table holds as many rows as the archive has for it, and `pg_dump --schema-only`
 * of the database equals the archive's schema. Throws a MigratorError when the file is not an
 * archive (before anything changed), a tool fails, or the restored database differs.
 */
export async function restorePostgres(url: DatabaseUrl, file: string): Promise<void> {
  const env = libpqEnv(url)
  try {
    // Reading the table of contents proves it is a pg_dump archive before anything is dropped.
    parseListing(await readListing(file, env, url, 'restore'))
  } catch (error) {
    if (error instanceof MigratorError && /not found on PATH/.test(error.message)) throw error
    throw new MigratorError('restore', `${file} is not a pg_dump archive written by \`migrator backup\`: ${(error as Error).message}; nothing was restored`, { cause: error })
  }
  const counts = await replaceWithArchive(url, env, file)
  await verifyRestore(url, env, file, counts)
}

/** What `DROP SCHEMA … CASCADE` cannot give back by itself: `public` as it was, minus its objects. */
const EMPTY_DATABASE = `SET client_min_messages = warning;
DO $migrator$
DECLARE
  s record;
  grant_ record;
  owner_ text;
  acl_ aclitem[];
  comment_ text;
BEGIN
  FOR s IN SELECT nspname FROM pg_namespace WHERE nspname <> 'public' AND nspname <> 'information_schema' AND nspname NOT LIKE 'pg\\_%' LOOP
    EXECUTE format('DROP SCHEMA %I CASCADE', s.nspname);
  END LOOP;
  SELECT nspowner::regrole::text, nspacl, obj_description(oid, 'pg_namespace') INTO owner_, acl_, comment_ FROM pg_namespace WHERE nspname = 'public';
  IF FOUND THEN
    DROP SCHEMA public CASCADE;
    EXECUTE format('CREATE SCHEMA public AUTHORIZATION %s', owner_);
    IF comment_ IS NOT NULL THEN EXECUTE format('COMMENT ON SCHEMA public IS %L', comment_); END IF;
    IF acl_ IS NOT NULL THEN
      EXECUTE format('REVOKE ALL ON SCHEMA public FROM %s', owner_);
      FOR grant_ IN SELECT privilege_type, CASE WHEN grantee = 0 THEN 'PUBLIC' ELSE grantee::regrole::text END AS who, is_grantable FROM aclexplode(acl_) LOOP
        EXECUTE format('GRANT %s ON SCHEMA public TO %s%s', grant_.privilege_type, grant_.who, CASE WHEN grant_.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
      END LOOP;
    END IF;
  END IF;
END
$migrator$;
`

/** Empties the database and runs the archive's script, all in one psql transaction; returns the archive's row counts. */
function replaceWithArchive(url: DatabaseUrl, env: NodeJS.ProcessEnv, file: string): Promise<ReadonlyMap<string, number>> {
  return new Promise((resolve, reject) => {
    const psql = spawn('psql', ['-X', '-q', '--single-transaction', '-v', 'ON_ERROR_STOP=1', '--no-password', '--file=-'], { env, stdio: ['pipe', 'ignore', 'pipe'] })
    const script = spawn('pg_restore', ['--no-password', '--file=-', file], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    const counter = new CopyRowCounter()
    let psqlErr = ''
    let scriptErr = ''
    let failed: MigratorError | undefined
    const fail = (error: MigratorError): void => {
      failed ??= error
      // psql sends COMMIT only at the end of its input: killed before that, the transaction rolls back.
      psql.kill('SIGKILL')
      script.kill('SIGKILL')
    }
    psql.stderr.on('data', (chunk: Buffer) => (psqlErr = (psqlErr + chunk.toString('utf8')).slice(-4000)))
    script.stderr.on('data', (chunk: Buffer) => (scriptErr = (scriptErr + chunk.toString('utf8')).slice(-4000)))
    psql.stdin.on('error', () => undefined)
    psql.on('error', (error: NodeJS.ErrnoException) => fail(startError('psql', error, 'restore')))
    script.on('error', (error: NodeJS.ErrnoException) => fail(startError('pg_restore', error, 'restore')))
    psql.stdin.write(EMPTY_DATABASE)
    script.stdout.pipe(counter).pipe(psql.stdin, { end: false })
    let scriptDone = false
    counter.on('end', () => {
      if (scriptDone && failed === undefined) psql.stdin.end()
    })
    script.on('close', (status) => {
      if (status !== 0) return fail(exitError('pg_restore', status, scriptErr, 'restore', url))
      scriptDone = true
      if (counter.readableEnded) psql.stdin.end()
    })
    psql.on('close', (status) => {
      if (status !== 0) script.kill('SIGKILL')
      if (failed !== undefined) return reject(new MigratorError('restore', `${failed.message}; the restore was rolled back, the database is as it was`, { cause: failed }))
      if (status !== 0) return reject(new MigratorError('restore', `${exitError('psql', status, psqlErr, 'restore', url).message}; the restore was rolled back, the database is as it was`))
      resolve(counter.counts)
    })
  })
}

/** The restored database must match the archive: rows per table, and the schema as pg_dump prints it. */
async function verifyRestore(url: DatabaseUrl, env: NodeJS.ProcessEnv, file: string, counts: ReadonlyMap<string, number>): Promise<void> {
  const problems: string[] = []
  const { db, close } = await connect(url)
  try {
    for (const [table, expected] of counts) {
      const rows = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ONLY ${table}`)
      const actual = Number(rows[0]?.n ?? -1)
      if (actual !== expected) problems.push(`${table} has ${actual} rows, the backup ${expected}`)
    }
  } finally {
    await close()
  }
  const live = schemaText(await runTool('pg_dump', ['--schema-only', '--no-password'], env, 'restore', url))
  const archived = schemaText(await runTool('pg_restore', ['--schema-only', '--no-password', '--file=-', file], env, 'restore', url))
  if (live !== archived) problems.push(`its schema differs from the backup's (first difference: ${firstDifference(live, archived)})`)
  if (problems.length > 0) {
    throw new MigratorError('restore', `restored ${url.redacted} from ${file}, but the result does not match the backup: ${problems.slice(0, 5).join('; ')}; restore again, or check the database`)
  }
}

/** `pg_restore --list` of an archive. */
function readListing(file: string, env: NodeJS.ProcessEnv, url: DatabaseUrl, code: 'backup' | 'restore'): Promise<string> {
  return runTool('pg_restore', ['--list', file], env, code, url)
}

/** The database's tables as a backup must hold them: ordinary and partitioned, not an extension's, not temporary. */
async function liveTables(url: DatabaseUrl): Promise<{ oid: number; name: string; partitioned: boolean }[]> {
  const { db, close } = await connect(url)
  try {
    const rows = await db.query<{ oid: number | string; name: string; kind: string }>(
      `SELECT c.oid, format('%I.%I', n.nspname, c.relname) AS name, c.relkind AS kind
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND c.relpersistence <> 't'
          AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
          AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')`,
    )
    return rows.map((r) => ({ oid: Number(r.oid), name: r.name, partitioned: r.kind === 'p' }))
  } finally {
    await close()
  }
}

function firstDifference(a: string, b: string): string {
  const left = a.split('\n')
  const right = b.split('\n')
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    if (left[i] !== right[i]) return `database: ${JSON.stringify((left[i] ?? '(end)').slice(0, 100))}, backup: ${JSON.stringify((right[i] ?? '(end)').slice(0, 100))}`
  }
  return 'none'
}
