import { MYSQL_URL, mysqlReachable } from '../helpers/mysql.js'
import { registerScenarios } from './scenario.js'
import { SCENARIOS } from './scenarios/index.js'

// Under CI=true an unreachable server throws here and fails the file.
registerScenarios('mariadb', SCENARIOS, (await mysqlReachable()) ? undefined : `${MYSQL_URL.redacted} does not answer`)
