// Opens a temporary scratch database, prints its name, then leaves the way argv[2] says, without
// calling drop(): `exit` (process.exit), `throw` (uncaught exception), or waiting for a signal.
// Loads the TypeScript sources through jiti, as migrator loads user modules.
import { createJiti } from 'jiti'

const jiti = createJiti(import.meta.url)
const src = new URL('../../../src/', import.meta.url)
const { open } = await jiti.import(new URL('dialects/postgres/index.ts', src).pathname)
const { parseUrl } = await jiti.import(new URL('config/url.ts', src).pathname)

const driver = await open(parseUrl(process.env.MIGRATOR_TEST_PG_URL))
const scratch = await driver.openScratch()
await scratch.db.exec('CREATE TABLE busy (id int)')
process.stdout.write(`${scratch.url.database}\n`)
if (process.argv[2] === 'exit') process.exit(3)
if (process.argv[2] === 'throw') setTimeout(() => { throw new Error('boom') }, 10)
setInterval(() => undefined, 1000)
