import { tokenize } from './tokens.js'

/**
 * A `USE db` line of a target (Driver.targetSessionCommand). Run as written it would move the
 * scratch session into that database, so the rest of the target would be created there (in the
 * live database itself, when it names it). A target describes one database: USE naming that
 * database (or the scratch database) says nothing and is skipped; naming another is an error.
 */
export function useStatement(sql: string, database: string | undefined, scratch: string | undefined): 'skip' | string | undefined {
  const tokens = tokenize(sql)
  if (tokens === undefined || tokens.length !== 2) return undefined
  const [keyword, name] = tokens
  if (keyword?.kind !== 'word' || keyword.text.toUpperCase() !== 'USE' || (name?.kind !== 'word' && name?.kind !== 'quoted')) return undefined
  if (name.text === database || name.text === scratch) return 'skip'
  return `\`USE ${name.text}\` switches to database ${name.text}, but the target describes ${database === undefined ? 'the database of the URL' : `database ${database}`}; remove the line (a target describes one database, the one it is applied to)`
}
