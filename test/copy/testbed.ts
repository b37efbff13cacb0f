import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll } from 'vitest'
import { createDatabase, type DialectKey, type HandMadeDatabase } from '../cli/dialect-databases.js'

/**
 * What each copy test file needs: a working directory for the CLI and databases created on demand
 * (optionally filled by `script`), all removed after the file's tests.
 */
export function copyTestbed(name: string): { readonly cwd: string; database(dialect: DialectKey, prefix: string, script?: string): Promise<HandMadeDatabase> } {
  const cwd = mkdtempSync(path.join(os.tmpdir(), `migrator-${name}-`))
  const databases: HandMadeDatabase[] = []
  afterAll(async () => {
    for (const database of databases) await database.drop()
    rmSync(cwd, { recursive: true, force: true })
  })
  return {
    cwd,
    async database(dialect, prefix, script) {
      const created = await createDatabase(dialect, prefix)
      databases.push(created)
      if (script !== undefined) await created.exec(script)
      return created
    },
  }
}
