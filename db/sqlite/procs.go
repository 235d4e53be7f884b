package sqlite

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"flowcraft/engine"
)

// procCache holds, per process version, what a new instance copies from its
// definition into the seed's columns of workflow_inst (workflow_id, "user",
// start/end_app_inst_id) and of its runtimes ("desc"; trigger_token of the trigger
// runtime). Reading it with
// every instance would cost a query per start; the writers of workflow in this store
// (ReplaceProcess, DeleteProcess, SetTriggerToken) drop a process's entries after they
// commit. Another flowcraft process writing the same file is not seen: a token it
// rotates reaches this one's node_inst.trigger_token on the next replace or restart.
type procCache struct {
	mu sync.Mutex
	m  map[procVersion]procInfo
}

type procVersion struct {
	proc    string
	version int
}

type procInfo struct {
	id                int64  // workflow.id
	user              string // the creator
	start, end, token string // trigger and end tasks of the version; webhook token
	// descs are the descriptions of the version's tasks by id, for node_inst."desc".
	descs map[string]string
}

// maxCachedVersions bounds the cache; when full it starts over.
const maxCachedVersions = 4096

// procInfoSQL reads procInfo: the head's tasks, or those of the version's copy.
const procInfoSQL = `SELECT w.id, w."user",
	CASE WHEN w.version = ?2 THEN w.start_app_inst_id ELSE COALESCE((SELECT json_extract(v.definition, '$.startTaskInstId')
		FROM workflow_version v WHERE v.workflow_id = w.id AND v.version = ?2), '') END,
	CASE WHEN w.version = ?2 THEN w.end_app_inst_id ELSE COALESCE((SELECT json_extract(v.definition, '$.endTaskInstId')
		FROM workflow_version v WHERE v.workflow_id = w.id AND v.version = ?2), '') END,
	w.trigger_token,
	CASE WHEN w.version = ?2 THEN w.tasks ELSE COALESCE((SELECT json_extract(v.definition, '$.tasks')
		FROM workflow_version v WHERE v.workflow_id = w.id AND v.version = ?2), '[]') END
	FROM workflow w WHERE w.proc_id = ?1`

// get returns the definition's values for an instance of proc at version, reading
// them in the step's transaction when they are not cached. ErrNotFound: no such process.
func (c *procCache) get(tx *stepTx, proc string, version int) (procInfo, error) {
	key := procVersion{proc, version}
	c.mu.Lock()
	info, ok := c.m[key]
	c.mu.Unlock()
	if ok {
		return info, nil
	}
	var tasks string
	err := tx.tx.QueryRowContext(tx.ctx, procInfoSQL, proc, version).Scan(&info.id, &info.user, &info.start, &info.end, &info.token, &tasks)
	if errors.Is(err, sql.ErrNoRows) {
		return info, engine.Errorf(engine.ErrNotFound, "process %s not found", proc)
	}
	if err != nil {
		return info, err
	}
	var list []struct {
		InstID      string `json:"instId"`
		Description string `json:"description"`
	}
	if err := json.Unmarshal([]byte(tasks), &list); err != nil {
		return info, fmt.Errorf("process %s version %d: decode tasks: %w", proc, version, err)
	}
	info.descs = make(map[string]string, len(list))
	for _, t := range list {
		if t.Description != "" {
			info.descs[t.InstID] = t.Description
		}
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCachedVersions {
		c.m = map[procVersion]procInfo{}
	}
	c.m[key] = info
	c.mu.Unlock()
	return info, nil
}

// forget drops the entries of a process (after a write to its workflow row).
func (c *procCache) forget(proc string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.m {
		if k.proc == proc {
			delete(c.m, k)
		}
	}
}
