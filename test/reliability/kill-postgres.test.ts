import { killTrials } from './kill.js'
import { reachable } from './targets.js'

killTrials('postgres', await reachable('postgres'))
