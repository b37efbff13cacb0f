/**
 * Whether a statement (as the splitter returns it: no leading comments, no delimiter) can run
 * inside a transaction and be rolled back: data manipulation that causes no implicit commit.
 *
 * MySQL commits implicitly before and after DDL, account and table-maintenance statements, LOCK
 * TABLES, LOAD DATA (on some engines) and anything a procedure might do (CALL), so only the plain
 * DML verbs qualify. Executable comments (`/*!…*\/`), SET and everything unknown count as
 * non-transactional: a false "no" only costs atomicity, a false "yes" would promise a rollback the
 * server cannot give. Rows of non-transactional engines (MyISAM) are never rolled back either;
 * the server warns, which is all it can do.
 */
export function isTransactionalStatement(sql: string): boolean {
  const verb = /^\(*\s*([a-z]+)/i.exec(sql)?.[1]?.toUpperCase()
  if (verb === undefined) return false
  // SELECT … INTO OUTFILE writes a file no rollback removes.
  if (verb === 'SELECT' || verb === 'WITH') return !/\bINTO\s+(OUTFILE|DUMPFILE)\b/i.test(sql)
  return DML.has(verb)
}

const DML: ReadonlySet<string> = new Set(['INSERT', 'UPDATE', 'DELETE', 'REPLACE', 'VALUES', 'TABLE'])
