package ui

import "encoding/json"

// LoginData is what the sign-in page shows.
type LoginData struct {
	Page     Page
	Error    string // already translated; shown above the form
	Next     string // where to go after signing in; posted back as the hidden field next
	Username string // prefilled user name after a failed attempt
}

// ProcessRow is one process definition in the processes list.
type ProcessRow struct {
	ID, Name, Description, Engine, TriggerApp string
	Enabled                                   bool
	Version                                   int
	Creator                                   string
	UpdateAt                                  int64 // unix ms
	Category                                  string
	// Startable: the signed-in user may start it (enabled; its candidate starters
	// admit them): the row has a Start button.
	Startable bool
	// InputSchema is the process's inputDataSchema (JSON) for the start form of users,
	// who may not read the definition itself.
	InputSchema string
}

// ProcessesData is what the processes list shows.
type ProcessesData struct {
	Page          Page
	Rows          []ProcessRow
	Total         int
	Query         string // the search box value (GET /processes?q=...)
	Offset, Limit int
	CanEdit       bool // designer or admin: show New/Import/Enable/Disable/Delete
}

// DesignerData is what the process designer page needs. The definition and
// the templates are passed through as JSON for the designer's script.
type DesignerData struct {
	Page       Page
	ProcessID  string          // "" for a new process
	Name       string          // the process name ("" for a new process)
	Definition json.RawMessage // the process definition as GET /api/process/{id} answers it; nil for a new process
	Templates  json.RawMessage // the node templates as GET /api/templates lists them
}
