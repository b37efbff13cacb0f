import type { ResolvedConfig } from '../config/schema.js'
import type { Driver } from '../dialects/dialect.js'
import { diffSchemas } from '../schema/diff.js'
import { emptySchema, type Schema } from '../schema/model.js'
import { UnsupportedChangeError } from '../errors.js'
import type { DrizzleDialect } from '../target/drizzle/dialect.js'
import { renderMermaid } from '../schema/mermaid.js'
import { inspectOptions, withDriver } from './session.js'

export type InspectFormat = 'sql' | 'json' | 'ts' | 'drizzle' | 'mermaid'

export interface InspectOutcome {
  readonly schema: Schema
  readonly text: string
  /** What the format cannot hold and leaves out (`--format drizzle`: triggers, functions, …). */
  readonly omitted: readonly string[]
}

/** The live schema, as data and rendered in `format`. */
export async function inspect(config: ResolvedConfig, format: InspectFormat = 'sql'): Promise<InspectOutcome> {
  return withDriver(config, async (driver) => {
    const schema = await driver.inspect(inspectOptions(config, driver))
    if (format !== 'drizzle') return { schema, text: renderSchema(driver, schema, format), omitted: [] }
    const { text, unexpressed } = drizzleOf(driver).render(schema)
    return { schema, text, omitted: unexpressed }
  }, { readOnly: true })
}

export function renderSchema(driver: Driver, schema: Schema, format: InspectFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(schema, null, 2)}\n`
    case 'ts':
      return `import type { Schema } from 'migrator'\n\nexport default ${JSON.stringify(schema, null, 2)} satisfies Schema\n`
    case 'drizzle':
      return drizzleOf(driver).render(schema).text
    case 'mermaid':
      return renderMermaid(schema)
    case 'sql': {
      const { changes } = diffSchemas(emptySchema, schema, { capabilities: driver.capabilities })
      const plan = driver.plan(changes, { current: emptySchema, desired: schema })
      return plan.statements.map((s) => `${s.sql};\n`).join('\n')
    }
  }
}

function drizzleOf(driver: Driver): DrizzleDialect {
  if (driver.drizzle === undefined) throw new UnsupportedChangeError(`--format drizzle is not supported for ${driver.dialect}`)
  return driver.drizzle
}
