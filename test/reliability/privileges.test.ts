import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseUrl } from '../../src/config/url.js'
import { openDriver } from '../../src/dialects/registry.js'
import { writeSum } from '../../src/migrations/sum.js'
import { MYSQL_URL } from '../helpers/mysql.js'
import { cli } from './harness.js'
import { createTarget, reachable, targetAt } from './targets.js'

const available = await reachable('mysql')
const work = mkdtempSync(path.join(os.tmpdir(), 'migrator-privileges-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

async function asRoot(sql: string): Promise<void> {
  const driver = await openDriver(MYSQL_URL)
  try {
    await driver.db.exec(sql)
  } finally {
    await driver.close()
  }
}

describe('MariaDB up without the PROCESS privilege', () => {
  it.skipIf(!available)('skips the open-transaction part of the lock pre-check with one warning naming the privilege and preCheck: false, and applies', async () => {
    const dir = path.join(work, 'project')
    mkdirSync(path.join(dir, 'migrations'), { recursive: true })
    // Both migrations name an existing table, so the pre-check runs before each: still one warning.
    writeFileSync(path.join(dir, 'migrations', '20240101000001_a.up.sql'), 'ALTER TABLE keep ADD COLUMN a int;\n')
    writeFileSync(path.join(dir, 'migrations', '20240101000002_b.up.sql'), "UPDATE keep SET a = 1;\nALTER TABLE keep ADD COLUMN b varchar(10) DEFAULT 'x';\n")
    await writeSum(path.join(dir, 'migrations'))
    const owner = await createTarget('mysql', dir)
    // A user that may not create databases gets an empty dev database for up's scratch work.
    const dev = await createTarget('mysql', dir)
    const user = `mt_np_${randomBytes(4).toString('hex')}`
    const password = `pw_${randomBytes(6).toString('hex')}`
    const database = owner.parsed.database!
    await asRoot(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'`)
    try {
      await asRoot(`GRANT ALL ON \`${database}\`.* TO '${user}'@'%'`)
      await asRoot(`GRANT ALL ON \`${dev.parsed.database!}\`.* TO '${user}'@'%'`)
      await owner.exec("CREATE TABLE keep (id int PRIMARY KEY, v varchar(20)); INSERT INTO keep VALUES (1, 'one'), (2, NULL)")
      const u = new URL(MYSQL_URL.raw)
      u.username = user
      u.password = password
      u.pathname = `/${database}`
      const limited = targetAt('mysql', parseUrl(u.toString()))
      u.pathname = `/${dev.parsed.database!}`
      const devUrl = u.toString()
      // The premise: this user may not read INNODB_TRX.
      await expect(limited.exec('SELECT count(*) FROM information_schema.INNODB_TRX')).rejects.toThrow(/PROCESS privilege/)

      const up = await cli(dir, limited, ['up', '--dev-url', devUrl])
      expect(up.code, up.stderr).toBe(0)
      const warnings = up.stderr.split('\n').filter((line) => /PROCESS/.test(line))
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toMatch(/information_schema\.INNODB_TRX needs the PROCESS privilege.*GRANT PROCESS ON \*\.\* TO <user>.*`preCheck: false` in migrator\.config\.ts/)
      expect(up.stderr).not.toContain(password)
      expect((await owner.history()).map((r) => [r.version, r.status])).toEqual([['20240101000001', 'applied'], ['20240101000002', 'applied']])
      const driver = await owner.open()
      try {
        expect(await driver.db.query('SELECT id, v, a, b FROM keep ORDER BY id')).toEqual([
          { id: 1, v: 'one', a: 1, b: 'x' },
          { id: 2, v: null, a: 1, b: 'x' },
        ])
      } finally {
        await driver.close()
      }

      // With the privilege there is nothing to warn about.
      await asRoot(`GRANT PROCESS ON *.* TO '${user}'@'%'`)
      writeFileSync(path.join(dir, 'migrations', '20240101000003_c.up.sql'), 'ALTER TABLE keep ADD COLUMN c int;\n')
      await writeSum(path.join(dir, 'migrations'))
      const granted = await cli(dir, limited, ['up', '--dev-url', devUrl])
      expect(granted.code, granted.stderr).toBe(0)
      expect(granted.stderr).not.toMatch(/PROCESS/)
    } finally {
      await asRoot(`DROP USER IF EXISTS '${user}'@'%'`)
      await owner.drop()
      await dev.drop()
    }
  }, 300_000)
})
