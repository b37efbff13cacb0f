/**
 * Imports a user's `.ts`/`.js` file (config, module migration, schema module) without a build step.
 * jiti and its TypeScript transform load on first use only, so runs without such files never pay
 * for them; caches are off so a file edited between two loads in one process is read again.
 */
export async function importUserModule(file: string): Promise<unknown> {
  const { createJiti } = await import('jiti')
  return createJiti(import.meta.url, { moduleCache: false, fsCache: false }).import(file)
}
