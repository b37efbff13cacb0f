import type { Loss, PgType } from './type-family.js'

type StringType = Extract<PgType, { family: 'string' }>

/**
 * Values longer than a varchar(n)/char(n) column holds. Counted in characters, as the limit is;
 * a char(n) source's trailing blanks are padding and do not count. The assignment cast raises on
 * most of these, but drops excess trailing spaces silently, so they count too.
 */
export function toStringType(from: PgType, to: StringType, col: string): Loss[] {
  if (to.length === undefined) return []
  if (from.family === 'string' && from.length !== undefined && from.length <= to.length) return []
  const value = from.family === 'string' ? col : `${col}::text`
  return [{ where: `char_length(${value}) > ${to.length}`, reason: `longer than ${to.length} character${to.length === 1 ? '' : 's'}` }]
}

// What boolin accepts: a unique prefix of true/false/yes/no, on/off, 1/0, blanks around, any case.
const BOOLEAN = '^\\s*(t(r(ue?)?)?|y(es?)?|on|off?|1|f(a(l(se?)?)?)?|no?|0)\\s*$'
// What uuid_in accepts: 32 hex digits, a hyphen allowed after any group of four, braces around.
const UUID = '^(\\{[0-9a-f]{4}(-?[0-9a-f]{4}){7}\\}|[0-9a-f]{4}(-?[0-9a-f]{4}){7})$'
const ISO_DATE = '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'

/** Text → boolean/uuid/date (`USING col::type`): rows whose text would not convert, or not exactly. */
export function textToOther(to: PgType, col: string): Loss[] {
  switch (to.family) {
    case 'boolean':
      return [{ where: `${col} !~* '${BOOLEAN}'`, reason: 'not a valid boolean' }]
    case 'uuid':
      return [{ where: `${col} !~* '${UUID}'`, reason: 'not a valid uuid' }]
    case 'date':
      // date_in also takes other spellings and silently drops a time of day ('2024-01-05 13:45'),
      // so anything but an existing YYYY-MM-DD day counts. The day check runs only on that shape.
      return [
        {
          where:
            `CASE WHEN ${col} !~ '${ISO_DATE}' OR substr(${col}, 1, 4) = '0000' THEN true ` +
            `ELSE substr(${col}, 9, 2)::int > extract(day from (substr(${col}, 1, 8) || '01')::date + interval '1 month - 1 day') END`,
          reason: 'not a date written as YYYY-MM-DD',
        },
      ]
    default:
      return []
  }
}
