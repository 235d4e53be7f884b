package sqlite

import "strings"

// The instance statuses that have not ended and those that have, written exactly as
// the WHERE clauses of the partial indexes workflow_inst_trigger_unfinished and
// workflow_inst_ended (migration 0018): SQLite uses a partial index only for a query
// that names its expression, and comparisons joined by OR, unlike an IN list of more
// than two constants, cost no temporary b-tree each time a status is written. Alone,
// unfinishedCond is answered from workflow_inst_status, one range per status.
// statuses_test.go checks the plans.
const (
	unfinishedCond = "(status = 'pending' OR status = 'running' OR status = 'waiting' OR status = 'suspended')"
	endedCond      = "(status = 'done' OR status = 'failed' OR status = 'canceled' OR status = 'timeout')"
)

// ofTable qualifies a status condition's column with a table name or alias.
func ofTable(cond, table string) string {
	return strings.ReplaceAll(cond, "status =", table+".status =")
}

// The queries that rely on those indexes.
const (
	// countUnfinishedOfProcess counts a definition's unfinished instances
	// (workflow_inst_trigger_unfinished).
	countUnfinishedOfProcess = `SELECT COUNT(*) FROM workflow_inst WHERE workflow_id = ` + procKey + ` AND ` + unfinishedCond
	// unfinishedCronExists tells whether a cron-timer started one of them.
	unfinishedCronExists = `SELECT EXISTS (SELECT 1 FROM workflow_inst
		WHERE workflow_id = ` + procKey + ` AND trigger_app = 'cron-timer' AND ` + unfinishedCond + `)`
	// endedBatch is the oldest of a definition's ended instances, up to a limit, that
	// ended before a cutoff (workflow_inst_ended).
	endedBatch = `SELECT uid FROM workflow_inst WHERE workflow_id = ` + procKey + ` AND ` + endedCond + `
		AND end_at_ms < ? ORDER BY end_at_ms LIMIT ?`
)
