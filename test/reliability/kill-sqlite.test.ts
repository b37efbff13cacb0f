import { killTrials } from './kill.js'
import { reachable } from './targets.js'

killTrials('sqlite', await reachable('sqlite'))
