// Package bpmn turns BPMN 2.0 XML into flowcraft definitions and back (DESIGN §9,
// WFMC interface 1). Import reads what modelers write — Camunda 7/8, Flowable,
// Activiti, Signavio, Bizagi, bpmn.io — bounded before any work; Export writes XML that
// validates against the OMG XSD, carries DI and keeps flowcraft's own settings in
// extensionElements, so that Export then Import gives the same definition.
//
// The package knows nothing of HTTP or storage: it maps documents to engine.Process
// values; callers create them through engine.Definitions.
package bpmn

import "flowcraft/engine"

// Namespaces of the documents this package reads and writes.
const (
	NSModel = "http://www.omg.org/spec/BPMN/20100524/MODEL"
	NSDI    = "http://www.omg.org/spec/BPMN/20100524/DI"
	NSDC    = "http://www.omg.org/spec/DD/20100524/DC"
	NSDD    = "http://www.omg.org/spec/DD/20100524/DI"
	// NSFlowcraft holds flowcraft's own settings in extensionElements.
	NSFlowcraft = "https://flowcraft.dev/bpmn"
)

// Options bound and steer an import. The zero value uses the defaults.
type Options struct {
	// Strict refuses (ErrInvalid) a document of which anything would be dropped.
	Strict bool
	// MaxBytes bounds the document (default 10 MiB).
	MaxBytes int64
	// MaxElements bounds the number of XML elements (default 50,000).
	MaxElements int
	// MaxDepth bounds element nesting (default 64).
	MaxDepth int
	// Checker compiles the JavaScript the import makes (translated conditions and
	// values, script tasks) to check it; it runs nothing. nil: Import makes a small
	// one for the call (about 2 ms). A caller that imports often may pass one it keeps,
	// such as its *scripting.Engine.
	Checker Checker
}

// Result is what an import produced: one definition per executable process of the
// document (collaborations with several pools give several), and the report.
type Result struct {
	Processes []Imported `json:"processes"`
	Report    Report     `json:"report"`
}

// Imported is one definition made from one BPMN process.
type Imported struct {
	BPMNID  string          `json:"bpmnId"` // the process element's id
	Process *engine.Process `json:"-"`      // not yet saved: no id unless the document carried one
	// TaskIDs maps each mapped BPMN flow node id to its task id.
	TaskIDs map[string]string `json:"-"`
	// CalledElements maps the id of each subprocess task whose processId is
	// "bpmn:<id>" to that called BPMN process id: once the document's processes are
	// created, the caller sets processId to the id of the definition made from it.
	CalledElements map[string]string `json:"-"`
}

// Report says how the document was mapped (DESIGN §9's answer).
type Report struct {
	Mapped       int    `json:"mapped"`       // elements mapped exactly
	Approximated []Note `json:"approximated"` // mapped with a difference, said in How
	Dropped      []Note `json:"dropped"`      // left out, said in Why
}

// Note is one report entry about one element.
type Note struct {
	Element string `json:"element"` // local name, e.g. "serviceTask"
	ID      string `json:"id"`
	// Code names the sentence (the UI shows "bpmn.note.<code>" with Params); How
	// or Why is its English text.
	Code   string         `json:"code"`
	Params map[string]any `json:"params,omitempty"`
	How    string         `json:"how,omitempty"`
	Why    string         `json:"why,omitempty"`
}
