import { registerScenarios } from './scenario.js'
import { SCENARIOS } from './scenarios/index.js'

registerScenarios('sqlite', SCENARIOS)
