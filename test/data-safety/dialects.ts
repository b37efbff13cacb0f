/** The three engines every scenario runs on, unless it cannot exist there. */
export type DialectName = 'postgres' | 'mariadb' | 'sqlite'

/**
 * Column types spelled the way each engine declares them, so one scenario text serves all three.
 * SQLite has only storage classes: its declared lengths, scales and precisions are not enforced.
 */
export interface Types {
  readonly int: string
  readonly bigint: string
  readonly smallint: string
  readonly double: string
  readonly text: string
  varchar(length: number): string
  decimal(precision: number, scale: number): string
  timestamp(fraction: number): string
}

export const TYPES: Readonly<Record<DialectName, Types>> = {
  postgres: {
    int: 'integer',
    bigint: 'bigint',
    smallint: 'smallint',
    double: 'double precision',
    text: 'text',
    varchar: (n) => `varchar(${n})`,
    decimal: (p, s) => `numeric(${p},${s})`,
    timestamp: (f) => `timestamp(${f})`,
  },
  mariadb: {
    int: 'INT',
    bigint: 'BIGINT',
    smallint: 'SMALLINT',
    double: 'DOUBLE',
    text: 'TEXT',
    varchar: (n) => `VARCHAR(${n})`,
    decimal: (p, s) => `DECIMAL(${p},${s})`,
    timestamp: (f) => `DATETIME(${f})`,
  },
  sqlite: {
    int: 'INTEGER',
    bigint: 'BIGINT',
    smallint: 'SMALLINT',
    double: 'REAL',
    text: 'TEXT',
    varchar: (n) => `VARCHAR(${n})`,
    decimal: (p, s) => `NUMERIC(${p},${s})`,
    // A declared TIMESTAMP would get NUMERIC affinity; timestamps are ISO text in SQLite.
    timestamp: () => 'TEXT',
  },
}
