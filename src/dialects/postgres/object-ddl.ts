import type { SchemaObject } from '../../schema/model.js'
import { assertNever } from '../../schema/changes.js'
import { UnsupportedChangeError } from '../../errors.js'
import { label } from './plan-context.js'
import { policyTarget } from './policy.js'
import { qualify, quoteIdent, quoteLiteral } from './quote.js'

/** DROP and COMMENT ON text for the objects of the model (`Schema.objects`). */

/** `name(args)` → `"name"(args)`: functions and aggregates are keyed by their identity signature. */
function signature(object: SchemaObject): string {
  const at = object.name.indexOf('(')
  const name = at < 0 ? object.name : object.name.slice(0, at)
  const args = at < 0 ? '()' : object.name.slice(at)
  return `${qualify({ schema: object.schema, name })}${args}`
}

/** `OPERATOR "schema".+ (integer, integer)`. */
function operator(object: SchemaObject): string {
  const at = object.name.indexOf('(')
  return `${quoteIdent(object.schema ?? 'public')}.${object.name.slice(0, at)} ${object.name.slice(at)}`
}

/** How DROP and COMMENT ON name the object: `TYPE "public"."status"`, `TRIGGER "t" ON "public"."x"`. */
function objectRef(object: SchemaObject): string {
  const q = qualify(object)
  switch (object.kind) {
    case 'schema':
      return `SCHEMA ${quoteIdent(object.name)}`
    case 'trigger':
      return `TRIGGER ${quoteIdent(object.name)} ON ${qualify({ schema: object.schema, name: object.table ?? '' })}`
    case 'policy':
      return `POLICY ${policyTarget(object)}`
    case 'enum':
      return `TYPE ${q}`
    case 'domain':
      return `DOMAIN ${q}`
    case 'sequence':
      return `SEQUENCE ${q}`
    case 'extension':
      return `EXTENSION ${quoteIdent(object.name)}`
    case 'function':
      switch (object.options?.type) {
        case 'aggregate':
          return `AGGREGATE ${signature(object)}`
        case 'operator':
          return `OPERATOR ${operator(object)}`
        case 'procedure':
          return `PROCEDURE ${signature(object)}`
        default:
          return `FUNCTION ${signature(object)}`
      }
    case 'other':
    case 'event':
      throw new UnsupportedChangeError(`cannot plan ${label(object)}: PostgreSQL inspection reports no objects of kind "${object.kind}"`)
    default:
      return assertNever(object.kind)
  }
}

/** DROP without CASCADE: a schema that still holds objects, or an object something depends on, makes it fail. */
export function dropObject(object: SchemaObject): string {
  return `DROP ${objectRef(object)}`
}

/** The object's comment as inspected (`options.comment`). */
export function objectComment(object: SchemaObject): string | undefined {
  const comment = object.options?.comment
  return typeof comment === 'string' ? comment : undefined
}

/** `COMMENT ON … IS '…'` (NULL removes it). */
export function commentOnObject(object: SchemaObject, comment: string | undefined): string {
  return `COMMENT ON ${objectRef(object)} IS ${comment === undefined ? 'NULL' : quoteLiteral(comment)}`
}

/** The statements that create the object as inspected: its definition, then its comment. */
export function createObject(object: SchemaObject): string[] {
  const comment = objectComment(object)
  return comment === undefined ? [object.definition] : [object.definition, commentOnObject(object, comment)]
}
