import type { Flavor } from './flavor.js'

/**
 * The information_schema queries of one inspection: a fixed set, each for the whole database
 * (bound to every `?`), never one per table. Column lists differ by flavor only where the
 * catalogs do (STATISTICS visibility, CHECK_CONSTRAINTS table names). Every information_schema
 * table of a query is restricted by its own lookup column (TABLE_SCHEMA, EVENT_OBJECT_SCHEMA...):
 * MariaDB fills one restricted by a join condition only by opening every table of every database
 * on the server (EXPLAIN: "Scanned all databases").
 */
export interface CatalogQueries {
  readonly tables: string
  readonly columns: string
  readonly indexes: string
  readonly foreignKeys: string
  readonly checks: string | undefined
  readonly views: string
  readonly triggers: string
  readonly routines: string
  readonly parameters: string
  readonly partitions: string
  readonly events: string
}

export function catalogQueries(flavor: Flavor): CatalogQueries {
  const visibility =
    flavor.invisibleIndexKeyword === 'IGNORED'
      ? "s.IGNORED = 'YES'"
      : flavor.invisibleIndexKeyword === 'INVISIBLE'
        ? "s.IS_VISIBLE = 'NO'"
        : '0'
  const expression = flavor.supportsFunctionalIndexes ? 's.EXPRESSION' : 'NULL'
  return {
    // MariaDB sequences are tables of type SEQUENCE: listed here, read by sequences.ts. MariaDB's
    // system-versioned tables are of type SYSTEM VERSIONED.
    tables: `SELECT t.TABLE_NAME AS name, t.TABLE_TYPE AS type, t.ENGINE AS engine, t.TABLE_COLLATION AS collation,
        c.CHARACTER_SET_NAME AS charset, t.TABLE_COMMENT AS comment, t.CREATE_OPTIONS AS createOptions
      FROM information_schema.TABLES t
      LEFT JOIN information_schema.COLLATIONS c ON c.COLLATION_NAME = t.TABLE_COLLATION
      WHERE t.TABLE_SCHEMA = ? AND t.TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED', 'SEQUENCE')
      ORDER BY t.TABLE_NAME`,
    columns: `SELECT TABLE_NAME AS tableName, COLUMN_NAME AS name, ORDINAL_POSITION AS position,
        COLUMN_DEFAULT AS columnDefault, IS_NULLABLE AS nullable, DATA_TYPE AS dataType,
        COLUMN_TYPE AS columnType, COLLATION_NAME AS collation, EXTRA AS extra,
        COLUMN_COMMENT AS comment, GENERATION_EXPRESSION AS generation
      FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = ?
      ORDER BY TABLE_NAME, ORDINAL_POSITION`,
    indexes: `SELECT s.TABLE_NAME AS tableName, s.INDEX_NAME AS name, s.NON_UNIQUE AS nonUnique,
        s.SEQ_IN_INDEX AS seq, s.COLUMN_NAME AS columnName, s.SUB_PART AS subPart,
        s.COLLATION AS collation, s.INDEX_TYPE AS indexType, s.INDEX_COMMENT AS comment,
        ${visibility} AS invisible, ${expression} AS expression
      FROM information_schema.STATISTICS s
      WHERE s.TABLE_SCHEMA = ?
      ORDER BY s.TABLE_NAME, s.INDEX_NAME, s.SEQ_IN_INDEX`,
    foreignKeys: `SELECT k.TABLE_NAME AS tableName, k.CONSTRAINT_NAME AS name, k.COLUMN_NAME AS columnName,
        k.ORDINAL_POSITION AS position, k.REFERENCED_TABLE_SCHEMA AS refSchema,
        k.REFERENCED_TABLE_NAME AS refTable, k.REFERENCED_COLUMN_NAME AS refColumn,
        r.UPDATE_RULE AS onUpdate, r.DELETE_RULE AS onDelete
      FROM information_schema.REFERENTIAL_CONSTRAINTS r
      JOIN information_schema.KEY_COLUMN_USAGE k
        ON k.CONSTRAINT_SCHEMA = r.CONSTRAINT_SCHEMA AND k.CONSTRAINT_NAME = r.CONSTRAINT_NAME
        AND k.TABLE_NAME = r.TABLE_NAME
      WHERE r.CONSTRAINT_SCHEMA = ? AND k.TABLE_SCHEMA = ? AND k.REFERENCED_TABLE_NAME IS NOT NULL
      ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`,
    checks: !flavor.supportsCheckConstraints
      ? undefined
      : flavor.checkConstraintsHaveTableName
        ? `SELECT TABLE_NAME AS tableName, CONSTRAINT_NAME AS name, CHECK_CLAUSE AS clause, LEVEL AS level,
            'YES' AS enforced
          FROM information_schema.CHECK_CONSTRAINTS
          WHERE CONSTRAINT_SCHEMA = ?
          ORDER BY TABLE_NAME, CONSTRAINT_NAME`
        : `SELECT t.TABLE_NAME AS tableName, t.CONSTRAINT_NAME AS name, c.CHECK_CLAUSE AS clause,
            'Table' AS level, t.ENFORCED AS enforced
          FROM information_schema.TABLE_CONSTRAINTS t
          JOIN information_schema.CHECK_CONSTRAINTS c
            ON c.CONSTRAINT_SCHEMA = t.CONSTRAINT_SCHEMA AND c.CONSTRAINT_NAME = t.CONSTRAINT_NAME
          WHERE t.TABLE_SCHEMA = ? AND t.CONSTRAINT_TYPE = 'CHECK'
          ORDER BY t.TABLE_NAME, t.CONSTRAINT_NAME`,
    views: `SELECT TABLE_NAME AS name, VIEW_DEFINITION AS definition, CHECK_OPTION AS checkOption,
        SECURITY_TYPE AS security, ${flavor.mariadb ? 'ALGORITHM' : "'UNDEFINED'"} AS algorithm
      FROM information_schema.VIEWS
      WHERE TABLE_SCHEMA = ?
      ORDER BY TABLE_NAME`,
    triggers: `SELECT TRIGGER_NAME AS name, EVENT_MANIPULATION AS event, EVENT_OBJECT_TABLE AS tableName,
        ACTION_TIMING AS timing, ACTION_STATEMENT AS body, ACTION_ORDER AS actionOrder
      FROM information_schema.TRIGGERS
      WHERE EVENT_OBJECT_SCHEMA = ?
      ORDER BY EVENT_OBJECT_TABLE, ACTION_ORDER, TRIGGER_NAME`,
    routines: `SELECT ROUTINE_NAME AS name, ROUTINE_TYPE AS type, DTD_IDENTIFIER AS returnType,
        ROUTINE_DEFINITION AS body, IS_DETERMINISTIC AS isDeterministic, SQL_DATA_ACCESS AS dataAccess,
        SECURITY_TYPE AS security, ROUTINE_COMMENT AS comment
      FROM information_schema.ROUTINES
      WHERE ROUTINE_SCHEMA = ?
      ORDER BY ROUTINE_TYPE, ROUTINE_NAME`,
    parameters: `SELECT SPECIFIC_NAME AS routine, ROUTINE_TYPE AS type, ORDINAL_POSITION AS position,
        PARAMETER_MODE AS mode, PARAMETER_NAME AS name, DTD_IDENTIFIER AS dataType
      FROM information_schema.PARAMETERS
      WHERE SPECIFIC_SCHEMA = ? AND ORDINAL_POSITION > 0
      ORDER BY SPECIFIC_NAME, ORDINAL_POSITION`,
    // One row per partition (the first subpartition's row where there are subpartitions) with the
    // number of subpartitions it has. MariaDB's SYSTEM_TIME partitioning is left out: not modelled.
    partitions: `SELECT TABLE_NAME AS tableName, PARTITION_NAME AS name, PARTITION_METHOD AS method,
        PARTITION_EXPRESSION AS expression, PARTITION_DESCRIPTION AS description,
        SUBPARTITION_METHOD AS subMethod, SUBPARTITION_EXPRESSION AS subExpression,
        PARTITION_COMMENT AS comment, count(*) AS subpartitions
      FROM information_schema.PARTITIONS
      WHERE TABLE_SCHEMA = ? AND PARTITION_NAME IS NOT NULL
      GROUP BY TABLE_NAME, PARTITION_NAME, PARTITION_ORDINAL_POSITION, PARTITION_METHOD, PARTITION_EXPRESSION,
        PARTITION_DESCRIPTION, SUBPARTITION_METHOD, SUBPARTITION_EXPRESSION, PARTITION_COMMENT
      ORDER BY TABLE_NAME, PARTITION_ORDINAL_POSITION`,
    // Times as text (a Date would be reinterpreted by the client) in the zone of the session that
    // created the event (TIME_ZONE): eventTimesInUtc turns them into UTC in a query of its own.
    // A STARTS the server filled in (the moment of CREATE or ALTER) is reported as implied.
    events: `SELECT EVENT_NAME AS name, EVENT_DEFINITION AS body, EVENT_TYPE AS type, TIME_ZONE AS timeZone,
        DATE_FORMAT(EXECUTE_AT, '%Y-%m-%d %H:%i:%s') AS executeAt,
        INTERVAL_VALUE AS intervalValue, INTERVAL_FIELD AS intervalField,
        DATE_FORMAT(STARTS, '%Y-%m-%d %H:%i:%s') AS starts,
        DATE_FORMAT(ENDS, '%Y-%m-%d %H:%i:%s') AS ends,
        STARTS IN (CREATED, LAST_ALTERED) AS startsImplied,
        STATUS AS status, ON_COMPLETION AS onCompletion, EVENT_COMMENT AS comment
      FROM information_schema.EVENTS
      WHERE EVENT_SCHEMA = ?
      ORDER BY EVENT_NAME`,
  }
}
