import { pgAvailable, PG_URL } from '../helpers/postgres.js'
import { registerScenarios } from './scenario.js'
import { SCENARIOS } from './scenarios/index.js'

// Under CI=true an unreachable server throws here and fails the file.
registerScenarios('postgres', SCENARIOS, (await pgAvailable()) ? undefined : `${PG_URL} does not answer`)
