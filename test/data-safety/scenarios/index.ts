import type { Scenario } from '../scenario.js'
import { ADOPTION } from './adoption.js'
import { CONSTRAINTS } from './constraints.js'
import { DOWN } from './down.js'
import { DROPS } from './drops.js'
import { ENUMS } from './enums.js'
import { MARIADB_UNDO } from './mariadb-undo.js'
import { NARROWING } from './narrowing.js'
import { RENAMES } from './renames.js'

/** Every scenario of the corpus; each test file runs them on one dialect. */
export const SCENARIOS: readonly Scenario[] = [...RENAMES, ...NARROWING, ...ENUMS, ...DROPS, ...CONSTRAINTS, ...ADOPTION, ...DOWN, ...MARIADB_UNDO]
