/**
 * Column types of `customers` as the target inspects them after a copy, per direction: the
 * dialects' mapping tables (src/dialects/<d>/copy-types.ts) as users see them.
 */
export const EXPECTED_TYPES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'postgres→mariadb': {
    id: 'bigint', email: 'varchar(120)', name: 'varchar(255)', active: 'tinyint(1)', tier: 'char(3)', created_at: 'datetime(6)', born: 'date', wake: 'time(6)',
    local_ts: 'datetime(3)', score: 'float', ratio: 'double', small: 'smallint', medium: 'int', huge: 'bigint', balance: 'decimal(12,2)', big_dec: 'decimal(30,10)',
    prefs: 'json', token: 'char(36)', avatar: 'longblob', mood: "enum('ok','sad')",
  },
  'postgres→sqlite': {
    id: 'integer', email: 'varchar(120)', name: 'text', active: 'boolean', tier: 'char(3)', created_at: 'timestamptz', born: 'date', wake: 'time',
    local_ts: 'datetime', score: 'real', ratio: 'real', small: 'integer', medium: 'integer', huge: 'integer', balance: 'numeric(12,2)', big_dec: 'text',
    prefs: 'json', token: 'uuid', avatar: 'blob', mood: 'text',
  },
  'mariadb→postgres': {
    id: 'bigint', email: 'character varying(120)', name: 'text', active: 'boolean', tier: 'character(3)', created_at: 'timestamp with time zone', born: 'date',
    wake: 'time(0) without time zone', local_ts: 'timestamp(3) without time zone', score: 'real', ratio: 'double precision', small: 'smallint', tiny: 'smallint',
    medium: 'integer', huge: 'bigint', balance: 'numeric(12,2)', big_dec: 'numeric(30,10)', prefs: 'jsonb', token: 'character(36)', avatar: 'bytea', kind: 'text',
  },
  'mariadb→sqlite': {
    id: 'integer', email: 'varchar(120)', name: 'text', active: 'boolean', tier: 'char(3)', created_at: 'timestamptz', born: 'date', wake: 'time',
    local_ts: 'datetime', score: 'real', ratio: 'real', small: 'integer', tiny: 'integer', medium: 'integer', huge: 'integer', balance: 'numeric(12,2)',
    big_dec: 'text', prefs: 'json', token: 'char(36)', avatar: 'blob', kind: 'text',
  },
  'sqlite→postgres': {
    id: 'bigint', email: 'character varying(120)', name: 'text', active: 'boolean', tier: 'character(3)', created_at: 'timestamp without time zone', born: 'date',
    wake: 'time without time zone', score: 'double precision', huge: 'bigint', balance: 'numeric(12,2)', prefs: 'jsonb', token: 'uuid', avatar: 'bytea', kind: 'text',
  },
  'sqlite→mariadb': {
    id: 'bigint', email: 'varchar(120)', name: 'varchar(255)', active: 'tinyint(1)', tier: 'char(3)', created_at: 'datetime(6)', born: 'date', wake: 'time(6)',
    score: 'double', huge: 'bigint', balance: 'decimal(12,2)', prefs: 'json', token: 'char(36)', avatar: 'longblob', kind: 'longtext',
  },
}
