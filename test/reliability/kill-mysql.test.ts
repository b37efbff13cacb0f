import { killTrials } from './kill.js'
import { reachable } from './targets.js'

killTrials('mysql', await reachable('mysql'))
