import type { CopyCode } from './types.js'

/**
 * One thing the target cannot hold exactly, reported before anything is written: its stable code
 * (docs/copy.md lists them all), where (`table.column`, `table index`, …) and what exactly.
 */
export interface CopyLoss {
  readonly code: CopyCode
  readonly where: string
  readonly message: string
}
