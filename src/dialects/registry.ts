import type { DatabaseUrl } from '../config/url.js'
import type { Dialect, DialectName, Driver, OpenOptions } from './dialect.js'

/**
 * URL scheme → dialect, imported on demand so that a SQLite run never loads pg or mysql2 and
 * startup pays only for the driver the URL needs.
 */
const loaders: Readonly<Record<DialectName, () => Promise<{ readonly dialect: Dialect }>>> = {
  sqlite: () => import('./sqlite/index.js'),
  postgres: () => import('./postgres/index.js'),
  mysql: () => import('./mysql/index.js'),
}

export async function loadDialect(name: DialectName): Promise<Dialect> {
  return (await loaders[name]()).dialect
}

/** Opens a driver for `url`; throws ConnectionError (with the redacted URL) when it cannot connect. */
export async function openDriver(url: DatabaseUrl, options?: OpenOptions): Promise<Driver> {
  return (await loadDialect(url.dialect)).open(url, options)
}
