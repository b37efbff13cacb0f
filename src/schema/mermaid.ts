import type { Schema } from './model.js'

/** A Mermaid `erDiagram` of the tables, their columns and FK relationships. */
export function renderMermaid(schema: Schema): string {
  const id = (name: string) => name.replace(/[^A-Za-z0-9_]/g, '_')
  const lines = ['erDiagram']
  for (const table of schema.tables) {
    lines.push(`  ${id(table.name)} {`)
    for (const column of table.columns) {
      const key = table.primaryKey?.columns.includes(column.name) ? ' PK' : table.foreignKeys.some((fk) => fk.columns.includes(column.name)) ? ' FK' : ''
      lines.push(`    ${id(column.type.split('(')[0] ?? column.type) || 'any'} ${id(column.name)}${key}`)
    }
    lines.push('  }')
  }
  for (const table of schema.tables) {
    for (const fk of table.foreignKeys) {
      lines.push(`  ${id(fk.refTable)} ||--o{ ${id(table.name)} : "${fk.columns.join(', ')}"`)
    }
  }
  return `${lines.join('\n')}\n`
}
