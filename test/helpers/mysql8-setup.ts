import { existsSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { TestProject } from 'vitest/node'

/**
 * vitest globalSetup: finds a MySQL 8 server for the MySQL dialect tests, once for the whole run.
 *
 * - MIGRATOR_TEST_MYSQL8_URL set: that server.
 * - Otherwise, when a Docker engine is reachable: starts `mysql:8` with testcontainers (imported
 *   only then) and stops it after the run.
 * - Otherwise: the MySQL 8 runs are skipped, with the reason as the suite's name. The MariaDB runs
 *   (MIGRATOR_TEST_MYSQL_URL) never depend on this.
 *
 * Tests read the outcome with `inject('mysql8')` (test/helpers/mysql.ts).
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const url = process.env.MIGRATOR_TEST_MYSQL8_URL
  if (url !== undefined && url !== '') {
    project.provide('mysql8', { url })
    return undefined
  }
  const engine = await dockerEngine()
  if (typeof engine === 'string') {
    project.provide('mysql8', { skip: `MySQL 8 runs skipped: ${engine}; set MIGRATOR_TEST_MYSQL8_URL or start Docker to run them` })
    return undefined
  }
  const { GenericContainer, Wait } = await import('testcontainers')
  const container = await new GenericContainer('mysql:8')
    .withEnvironment({ MYSQL_ALLOW_EMPTY_PASSWORD: 'yes' })
    .withExposedPorts(3306)
    // The image first runs a temporary server on port 0 to initialize; wait for the real one.
    .withWaitStrategy(Wait.forLogMessage(/ready for connections.*port: 3306/))
    .withStartupTimeout(180_000)
    .start()
  project.provide('mysql8', { url: `mysql://root@${container.getHost()}:${container.getMappedPort(3306)}/mysql` })
  return async () => {
    await container.stop()
  }
}

/**
 * true when a container engine answers; otherwise why not. Looks for the usual signs first (a
 * DOCKER_HOST, a socket, a testcontainers config) so that without any testcontainers is never
 * loaded; then lets testcontainers' own detection decide.
 */
async function dockerEngine(): Promise<true | string> {
  const sockets = ['/var/run/docker.sock', path.join(os.homedir(), '.docker/run/docker.sock'), path.join(os.homedir(), '.testcontainers.properties')]
  if (process.env.DOCKER_HOST === undefined && !sockets.some((s) => existsSync(s))) return 'no Docker engine (no DOCKER_HOST, no /var/run/docker.sock)'
  try {
    const { getContainerRuntimeClient } = await import('testcontainers')
    await getContainerRuntimeClient()
    return true
  } catch (error) {
    return `no Docker engine reachable (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The MySQL 8 server for the dialect tests, or why there is none. */
    mysql8: { readonly url: string } | { readonly skip: string }
  }
}
