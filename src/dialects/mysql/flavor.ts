import type { NameCase } from '../../schema/plan.js'

/**
 * Server facts and the named predicates that gate flavor- and version-specific syntax. Nothing
 * outside this file compares versions: callers ask `flavor.supportsRenameColumn` and the like.
 */
export interface Flavor {
  readonly mariadb: boolean
  /** [major, minor, patch] */
  readonly version: readonly [number, number, number]
  /** `MariaDB 10.11.19`, `MySQL 8.0.36` */
  readonly label: string
  /** `ALTER TABLE … RENAME COLUMN a TO b` (MySQL 8.0, MariaDB 10.5.2). */
  readonly supportsRenameColumn: boolean
  /** `ALTER TABLE … RENAME INDEX a TO b` (MySQL 5.7, MariaDB 10.5.2). */
  readonly supportsRenameIndex: boolean
  /** CHECK constraints are enforced and listed in information_schema (MySQL 8.0.16, MariaDB 10.2). */
  readonly supportsCheckConstraints: boolean
  /** JSON is a real type (MySQL); MariaDB aliases it to LONGTEXT plus a json_valid CHECK. */
  readonly supportsNativeJson: boolean
  /** Descending index parts are stored, not ignored (MySQL 8.0, MariaDB 10.8). */
  readonly supportsDescendingIndexes: boolean
  /** Invisible indexes: MySQL `INVISIBLE` (8.0), MariaDB `IGNORED` (10.6); null when unsupported. */
  readonly invisibleIndexKeyword: 'INVISIBLE' | 'IGNORED' | null
  /** Functional key parts `((expr))` and information_schema.STATISTICS.EXPRESSION (MySQL 8.0.13). */
  readonly supportsFunctionalIndexes: boolean
  /** How a CHECK is dropped: MariaDB `DROP CONSTRAINT`, MySQL `DROP CHECK`. */
  readonly dropCheckKeyword: 'CONSTRAINT' | 'CHECK'
  /** information_schema.CHECK_CONSTRAINTS has TABLE_NAME (MariaDB; check names are per table there). */
  readonly checkConstraintsHaveTableName: boolean
  /** TEXT/BLOB/JSON/GEOMETRY take a plain literal DEFAULT (MariaDB); MySQL needs `DEFAULT ('x')`. */
  readonly literalDefaultsOnBlobs: boolean
  /** COLUMN_DEFAULT holds a SQL expression (MariaDB 10.2.7) rather than the raw value (MySQL). */
  readonly columnDefaultIsExpression: boolean
  /**
   * A column's charset (utf8mb3 → utf8mb4) or collation changes without a table copy (MariaDB
   * 10.4.3: INSTANT when the column is not indexed, INPLACE otherwise); MySQL copies the table.
   */
  readonly inplaceCollationChange: boolean
  /**
   * How table (and trigger) names compare, from `@@lower_case_table_names`: 0 case-sensitive,
   * 1 stored lower-cased, 2 stored as given and compared lower-cased. Column, index and
   * constraint names are case-insensitive and stored as given on every server.
   */
  readonly tableNameCase: NameCase
  /** How an event disabled on replicas is declared: MySQL 8.0.22 `DISABLE ON REPLICA`, else `DISABLE ON SLAVE`. */
  readonly eventReplicaDisable: 'DISABLE ON REPLICA' | 'DISABLE ON SLAVE'
}

/**
 * Parses `SELECT VERSION()` output (`10.11.19-MariaDB-0+deb12u1`, `8.0.36`, `8.4.0-log`) and the
 * server's `@@lower_case_table_names`.
 */
export function detectFlavor(versionText: string, hint?: 'mariadb', lowerCaseTableNames = 0): Flavor {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(versionText)
  const version: [number, number, number] = match
    ? [Number(match[1]), Number(match[2]), Number(match[3])]
    : [0, 0, 0]
  const mariadb = /mariadb/i.test(versionText) || (hint === 'mariadb' && !match)
  const atLeast = (major: number, minor: number, patch = 0): boolean =>
    version[0] !== major ? version[0] > major : version[1] !== minor ? version[1] > minor : version[2] >= patch
  return {
    mariadb,
    version,
    label: `${mariadb ? 'MariaDB' : 'MySQL'} ${version.join('.')}`,
    supportsRenameColumn: mariadb ? atLeast(10, 5, 2) : atLeast(8, 0),
    supportsRenameIndex: mariadb ? atLeast(10, 5, 2) : atLeast(5, 7),
    supportsCheckConstraints: mariadb ? atLeast(10, 2, 1) : atLeast(8, 0, 16),
    supportsNativeJson: !mariadb,
    supportsDescendingIndexes: mariadb ? atLeast(10, 8) : atLeast(8, 0),
    invisibleIndexKeyword: mariadb ? (atLeast(10, 6) ? 'IGNORED' : null) : atLeast(8, 0) ? 'INVISIBLE' : null,
    supportsFunctionalIndexes: !mariadb && atLeast(8, 0, 13),
    dropCheckKeyword: mariadb ? 'CONSTRAINT' : 'CHECK',
    checkConstraintsHaveTableName: mariadb,
    literalDefaultsOnBlobs: mariadb,
    columnDefaultIsExpression: mariadb && atLeast(10, 2, 7),
    inplaceCollationChange: mariadb && atLeast(10, 4, 3),
    eventReplicaDisable: !mariadb && atLeast(8, 0, 22) ? 'DISABLE ON REPLICA' : 'DISABLE ON SLAVE',
    tableNameCase: lowerCaseTableNames === 1 ? 'folding' : lowerCaseTableNames === 2 ? 'preserving' : 'sensitive',
  }
}
