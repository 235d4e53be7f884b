package ui

// The search forms of the done list, the instance list and the history page, and
// the admin's view of every open task.

// VarFilter is one typed variable condition as a GET form holds it (varName, varOp,
// varType, varValue).
type VarFilter struct {
	Name, Op, Type, Value string
}

// active reports whether the condition is set.
func (v VarFilter) active() bool { return v.Name != "" || v.Value != "" }

// varOps are the condition's operators, in the order the form lists them.
var varOps = []string{"equals", "notEquals", "equalsIgnoreCase", "notEqualsIgnoreCase", "lessThan", "lessThanOrEquals",
	"greaterThan", "greaterThanOrEquals", "like"}

// varTypes are the value's types the form offers ("" infers it).
var varTypes = []string{"", "string", "long", "double", "boolean", "date"}

// DoneSearch is the done list's search form.
type DoneSearch struct {
	BusinessKey string
	Outcome     string
	From, To    string // dates YYYY-MM-DD (the task's completion), inclusive
	Var         VarFilter
}

// active reports whether any search field is set.
func (s DoneSearch) active() bool {
	return s.BusinessKey != "" || s.Outcome != "" || s.From != "" || s.To != "" || s.Var.active()
}

// AdminTaskFilter is the admin's filter of every open task.
type AdminTaskFilter struct {
	User, Group, ProcessID string
	Overdue, Orphaned      bool
}

// active reports whether any filter is set.
func (f AdminTaskFilter) active() bool {
	return f.User != "" || f.Group != "" || f.ProcessID != "" || f.Overdue || f.Orphaned
}

// AdminTaskRow is an open task in the admin's list.
type AdminTaskRow struct {
	TaskRow
	Left string // "disabled" or "deleted" when the assignee has left
	// CanReturn: the task has candidates to go back to and is not with them already.
	CanReturn bool
}

// InboxAllData is the admin's tab of the inbox: every open task.
type InboxAllData struct {
	Page      Page
	Rows      []AdminTaskRow
	Pager     Pager
	Filter    AdminTaskFilter
	OpenCount int
	Users     []Option // reassignment targets and the user filter (enabled users)
	Groups    []Option
	Processes []Option
}

// HistoryFilter is the history search: ended instances.
type HistoryFilter struct {
	ProcessID   string
	Outcome     string // an ended status: done, failed, canceled, timeout
	BusinessKey string // seed 003 like: % the wildcard, else a substring
	From, To    string // end dates YYYY-MM-DD, inclusive
	Var         VarFilter
}

// active reports whether any filter is set.
func (f HistoryFilter) active() bool {
	return f.ProcessID != "" || f.Outcome != "" || f.BusinessKey != "" || f.From != "" || f.To != "" || f.Var.active()
}

// endedStatuses are the outcomes the history search offers.
var endedStatuses = []string{"done", "failed", "canceled", "timeout"}

// HistoryData is what the history page shows.
type HistoryData struct {
	Page      Page
	Rows      []InstanceRow
	Filter    HistoryFilter
	Pager     Pager
	Processes []Option
	AllUsers  bool
}

// orAuto names the inferred type's option ("" is "auto").
func orAuto(t string) string {
	if t == "" {
		return "auto"
	}
	return t
}

// candidateText lists a task's candidate users and groups, comma-separated.
func candidateText(r TaskRow) string {
	out := ""
	for _, s := range append(append([]string{}, r.CandidateUsers...), r.CandidateGroups...) {
		if out != "" {
			out += ", "
		}
		out += s
	}
	if out == "" {
		return "—"
	}
	return out
}
