package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/a-h/templ"
)

// This file holds the data of the operations pages (instances, inbox, tasks,
// admin) and the helpers their templates share.

// Option is one choice of a <select> or <datalist>.
type Option struct {
	Value, Label string
}

// Pager is the position of a list page: rows Offset+1 … Offset+Count of Total.
// Base is the list's URL with its query (without offset/limit); pageURL adds them.
type Pager struct {
	Offset, Count, Total, Limit int
	Base                        string
}

// limit is the page size, DefaultLimit when unset.
func (p Pager) limit() int {
	if p.Limit <= 0 {
		return DefaultLimit
	}
	return p.Limit
}

func (p Pager) end() int        { return p.Offset + p.Count }
func (p Pager) total() int      { return max(p.Total, p.end()) }
func (p Pager) hasPrev() bool   { return p.Offset > 0 }
func (p Pager) hasNext() bool   { return p.end() < p.total() && p.Count > 0 }
func (p Pager) prevURL() string { return p.pageURL(max(0, p.Offset-p.limit())) }
func (p Pager) nextURL() string { return p.pageURL(p.Offset + p.limit()) }

// pageURL is Base with offset (and a non-default limit).
func (p Pager) pageURL(offset int) string {
	base, rawQuery, _ := strings.Cut(p.Base, "?")
	v, _ := url.ParseQuery(rawQuery)
	v.Del("offset")
	v.Del("limit")
	if offset > 0 {
		v.Set("offset", strconv.Itoa(offset))
	}
	if p.Limit > 0 && p.Limit != DefaultLimit {
		v.Set("limit", strconv.Itoa(p.Limit))
	}
	if len(v) == 0 {
		return base
	}
	return base + "?" + v.Encode()
}

// ---------- instances ----------

// InstanceRow is one process instance in the instances list.
type InstanceRow struct {
	ID, ProcessID, Name, Status, Executor, TriggerApp, Error string
	BusinessKey                                              string
	Version                                                  int
	StartAt, EndAt, Cost                                     int64 // unix ms; Cost in ms
}

// InstanceFilter is what the instances list is filtered by (the GET form's values).
type InstanceFilter struct {
	ProcessID   string
	Status      string
	From, To    string // dates YYYY-MM-DD in the server's time zone, inclusive
	BusinessKey string // seed 003 like: % the wildcard, else a substring
	Var         VarFilter
}

// active reports whether any filter is set.
func (f InstanceFilter) active() bool {
	return f.ProcessID != "" || f.Status != "" || f.From != "" || f.To != "" || f.BusinessKey != "" || f.Var.active()
}

// InstancesData is what the instances list shows.
type InstancesData struct {
	Page      Page
	Rows      []InstanceRow
	Filter    InstanceFilter
	Pager     Pager
	Processes []Option // the process filter's choices; empty hides the filter
	AllUsers  bool     // designers and admins see every instance: show who started each
}

// InstanceStatuses are the statuses an instance can have, in the order the filter lists them.
var instanceStatuses = []string{"pending", "running", "waiting", "suspended", "done", "failed", "canceled", "timeout"}

// InstanceData is what the instance page needs. View, Definition and Templates
// are passed through as JSON for its script (the graph and the timeline).
type InstanceData struct {
	Page                                                             Page
	ID, ProcessID, Name, Status, Executor, TriggerApp, Engine, Error string
	ParentID, BusinessKey                                            string
	Version                                                          int
	StartAt, EndAt, Cost                                             int64
	CanControl                                                       bool // may cancel, suspend, resume, retry
	CanDesign                                                        bool // may open the process in the designer
	View                                                             json.RawMessage
	Definition                                                       json.RawMessage // nil: the definition is gone; no graph
	Templates                                                        json.RawMessage
}

// ---------- inbox and tasks ----------

// TaskRow is one human task in the inbox.
type TaskRow struct {
	ID, Name, Content, ProcessID, ProcessName, InstanceID string
	Assignee, Owner, Delegation, Status                   string
	Outcome, Comment, CompletedBy                         string
	CandidateUsers, CandidateGroups                       []string
	Priority                                              int
	CreateAt, DueAt, EndAt                                int64
	Me                                                    string // the signed-in user, to tell "yours" from "candidate"
	Now                                                   int64  // unix ms, for "overdue"
}

// InboxData is what the inbox (待办/已办) shows.
type InboxData struct {
	Page      Page
	Tab       string // "todo" or "done"
	Rows      []TaskRow
	Pager     Pager
	OpenCount int    // the number of open tasks, for the tab's badge
	Sort      string // createAt | priority | due (todo only)
	Me        InboxUser
	Done      DoneSearch // the done list's search
}

// InboxUser is who the inbox belongs to, for its script (which tasks are "mine").
type InboxUser struct {
	ID     string   `json:"id"`
	Groups []string `json:"groups"`
}

// TaskEntry is one decision or action in a task's history.
type TaskEntry struct {
	User, Action, Outcome, Comment, To string
	At                                 int64
}

// KV is one labelled value (trigger data, form answers).
type KV struct {
	Key, Value string
	Code       bool // the value is JSON (objects, arrays): shown as code
}

// TaskData is what the task page shows.
type TaskData struct {
	Page Page
	Task TaskRow
	// Form and Outcomes are passed to the script as JSON (the form is generated there).
	Form        json.RawMessage
	Outcomes    []string
	FormData    []KV // the answers of a completed task
	History     []TaskEntry
	Trigger     []KV
	Instance    TaskInstance
	CanAct      bool // the user may work on it now
	CanClaim    bool
	CanUnclaim  bool
	CanDelegate bool
	CanResolve  bool     // it was delegated to the user: resolve instead of deciding
	Users       []Option // delegate choices
}

// TaskInstance is the process context of a task.
type TaskInstance struct {
	ID, Status, Executor string
	StartAt              int64
	CanOpen              bool // the user may open the instance page
}

// ---------- admin ----------

// AdminUser is a user in the admin lists.
type AdminUser struct {
	ID, Name, Email, Role string
	Groups                []string
	Disabled              bool
	CreateAt              int64
}

// AdminGroup is a group with its members.
type AdminGroup struct {
	ID, Name string
	Members  []Option // id, name
	CreateAt int64
}

// AdminToken is an API token (never its secret).
type AdminToken struct {
	ID, UserID, Name, Prefix        string
	CreateAt, LastUsedAt, ExpiresAt int64
}

// AdminJob is a timer, retry or continuation of the engine.
type AdminJob struct {
	ID, Kind, InstanceID, TaskID, Status, Error string
	Queue                                       string // executable | timer | suspended | dead
	DueAt, CreateAt                             int64
	Attempts, MaxAttempts                       int
}

// AdminData is what the admin page shows: one tab at a time.
type AdminData struct {
	Page      Page
	Tab       string // users | groups | tokens | jobs
	Users     []AdminUser
	Groups    []AdminGroup
	Tokens    []AdminToken
	TokenUser string // whose tokens are listed
	Jobs      []AdminJob
	JobStatus string // "" (all), pending, dead
	JobQueue  string // "" (all), executable, timer, suspended, dead
	Pager     Pager
	Query     string   // the user search
	AllUsers  []Option // every user, for pickers
	AllGroups []Option // every group, for pickers
}

// adminTabs are the admin page's tabs in order.
var adminTabs = []string{"users", "groups", "tokens", "jobs"}

// ---------- helpers ----------

// statusKey is the message key of a status label (instances, runtimes, human tasks).
func statusKey(status string) string {
	if status == "" {
		return "status.not_run"
	}
	return "status." + status
}

// statusLabel is the translated label of a status, the status itself when unknown.
func statusLabel(tr Translator, status string) string {
	if m := tr.T(statusKey(status)); m != statusKey(status) {
		return m
	}
	return status
}

// pillClass is the class of a status pill.
func pillClass(status string) string {
	switch status {
	case "open":
		return "pill pill-waiting"
	case "":
		return "pill"
	}
	return "pill pill-" + status
}

// outcomeLabel is the label of an approval outcome: approve and reject are
// translated, others are shown as they are.
func outcomeLabel(tr Translator, outcome string) string {
	switch outcome {
	case "approve", "reject":
		return tr.T("outcome." + outcome)
	}
	return outcome
}

// outcomeResult is the label of a decided outcome: "Approved", "Rejected", others as they are.
func outcomeResult(tr Translator, outcome string) string {
	switch outcome {
	case "approve":
		return tr.T("outcome.approved")
	case "reject":
		return tr.T("outcome.rejected")
	}
	return outcome
}

// outcomeClass is the pill class of an outcome.
func outcomeClass(outcome string) string {
	switch outcome {
	case "approve":
		return "pill pill-done"
	case "reject":
		return "pill pill-failed"
	}
	return "pill pill-suspended"
}

// FormatDuration formats milliseconds for people: "850 ms", "1.2 s", "3 min 4 s", "2 h 5 min", "3 d 4 h".
func FormatDuration(tr Translator, ms int64) string {
	if ms < 0 {
		ms = 0
	}
	switch {
	case ms < 1000:
		return tr.Tf("duration.ms", "ms", ms)
	case ms < 10_000:
		return tr.Tf("duration.s", "s", strconv.FormatFloat(float64(ms)/1000, 'f', 1, 64))
	case ms < 60_000:
		return tr.Tf("duration.s", "s", strconv.FormatInt(ms/1000, 10))
	case ms < 3_600_000:
		return tr.Tf("duration.min_s", "min", ms/60_000, "s", (ms%60_000)/1000)
	case ms < 86_400_000:
		return tr.Tf("duration.h_min", "h", ms/3_600_000, "min", (ms%3_600_000)/60_000)
	}
	return tr.Tf("duration.d_h", "d", ms/86_400_000, "h", (ms%86_400_000)/3_600_000)
}

// instanceURL links to an instance page.
func instanceURL(id string) templ.SafeURL {
	return templ.SafeURL("/instances/" + url.PathEscape(id))
}

// taskURL links to a task page.
func taskURL(id string) templ.SafeURL {
	return templ.SafeURL("/inbox/" + url.PathEscape(id))
}

// duration of an instance row: its cost when ended, "" while it runs.
func rowDuration(tr Translator, r InstanceRow) string {
	if r.EndAt == 0 {
		return ""
	}
	return FormatDuration(tr, r.Cost)
}

// taskState is the assignment state of an open task for the inbox: mine,
// delegated (to me by someone), candidate (unclaimed, I may claim it), other.
func (r TaskRow) state() string {
	switch {
	case r.Assignee == r.Me && r.Delegation == "pending" && r.Owner != r.Me:
		return "delegated"
	case r.Assignee == r.Me:
		return "mine"
	case r.Assignee == "":
		return "candidate"
	}
	return "other"
}

// claimable reports whether the task can be given back to its candidates.
func (r TaskRow) unclaimable() bool {
	return r.Assignee == r.Me && r.Delegation != "pending" && (len(r.CandidateUsers) > 0 || len(r.CandidateGroups) > 0)
}

// overdue reports whether an open task is past its due date.
func (r TaskRow) overdue() bool {
	return r.Status == "open" && r.DueAt > 0 && r.Now > r.DueAt
}

// candidatesText lists candidate users and groups: "lisi, wangwu, @hr".
func candidatesText(users, groups []string) string {
	parts := append([]string{}, users...)
	for _, g := range groups {
		parts = append(parts, "@"+g)
	}
	return strings.Join(parts, ", ")
}

// historyKey is the message key of a history action.
func historyKey(action string) string {
	switch action {
	case "claim", "unclaim", "delegate", "resolve", "complete":
		return "task.history." + action
	}
	return "task.history.other"
}

// priorityClass is the badge class of a priority (0–100).
func priorityClass(p int) string {
	switch {
	case p >= 80:
		return "badge badge-prio-high"
	case p >= 50:
		return "badge badge-prio-normal"
	}
	return "badge badge-prio-low"
}

// priorityKey is the message key of a priority band.
func priorityKey(p int) string {
	switch {
	case p >= 80:
		return "priority.high"
	case p >= 50:
		return "priority.normal"
	}
	return "priority.low"
}

// KVs turns a JSON object into labelled values in key order; other JSON values
// become one entry without a key. Strings are shown as they are, other
// scalars as JSON, objects and arrays as indented JSON code.
func KVs(v any) []KV {
	if v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return []KV{kv("", v)}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]KV, 0, len(keys))
	for _, k := range keys {
		out = append(out, kv(k, m[k]))
	}
	return out
}

func kv(k string, v any) KV {
	switch x := v.(type) {
	case string:
		return KV{Key: k, Value: x}
	case map[string]any, []any:
		b, _ := json.MarshalIndent(x, "", "  ")
		return KV{Key: k, Value: string(b), Code: true}
	case nil:
		return KV{Key: k, Value: "—"}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return KV{Key: k, Value: fmt.Sprint(v)}
	}
	return KV{Key: k, Value: string(b)}
}

// expiresText is how a token's expiry is shown.
func expiresText(ctx context.Context, tr Translator, ms int64) string {
	if ms == 0 {
		return tr.T("admin.tokens.never")
	}
	return formatTime(ctx, ms)
}

// itoa is strconv.Itoa for templates.
func itoa(n int) string { return strconv.Itoa(n) }
