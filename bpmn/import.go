package bpmn

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"flowcraft/diagram"
	"flowcraft/engine"
)

// Import reads one BPMN 2.0 document. Bad input (not XML, not BPMN, too large, too
// deep, DOCTYPE/entities, cycles of call activities, nothing executable) is an
// engine.ErrInvalid error with a code naming the problem; so is anything dropped when
// opts.Strict is set.
//
// Every process of the document (each pool of a collaboration) becomes one
// definition; the mapping follows DESIGN §9, element by element, and the report says
// for each element whether it was mapped exactly, approximated (how) or dropped
// (why). Positions come from the diagram (DI); a process without shapes is laid out
// as the designer's auto-layout does.
func Import(r io.Reader, opts Options) (*Result, error) {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = defaultMaxBytes
	}
	if opts.MaxElements <= 0 {
		opts.MaxElements = defaultMaxElements
	}
	if opts.MaxDepth <= 0 {
		opts.MaxDepth = defaultMaxDepth
	}
	root, err := parse(r, opts)
	if err != nil {
		return nil, err
	}
	js := opts.Checker
	if js == nil {
		js = newChecker()
	}
	im := newImporter(root, js)
	res, err := im.run()
	if err != nil {
		return nil, err
	}
	if opts.Strict && len(res.Report.Dropped) > 0 {
		// The English message says why; the params name the elements only, as
		// their reasons are English (the import report localizes them by code).
		var names, ids []string
		for i, n := range res.Report.Dropped {
			if i == 3 {
				names = append(names, fmt.Sprintf("and %d more", len(res.Report.Dropped)-3))
				ids = append(ids, "…")
				break
			}
			names = append(names, fmt.Sprintf("%s %s (%s)", n.Element, n.ID, n.Why))
			ids = append(ids, n.Element+" "+n.ID)
		}
		return nil, errCode(engine.CodeBPMNDropped, engine.Params{"count": len(res.Report.Dropped), "elements": strings.Join(ids, "; ")},
			"strict import refuses the document; elements that would be dropped (%d): %s", len(res.Report.Dropped), strings.Join(names, "; "))
	}
	return res, nil
}

// Metadata keys an imported definition carries.
const (
	// MetaBPMN is the metadata key of what the import kept of the BPMN document:
	// processId, ids (task id → BPMN id), lanes, annotations, artifacts, participant
	// and messageFlows. (Camunda's variable semantics are Process.PayloadAsVariables.)
	MetaBPMN = "bpmn"
	// MetaCandidateStarters is the metadata key of camunda:candidateStarterUsers and
	// candidateStarterGroups ({"users": [...], "groups": [...]}); the caller applies
	// them as the process's candidate starters.
	MetaCandidateStarters = "candidateStarters"
)

// ids of the forms flowcraft keeps as they are.
var (
	taskIDForm    = regexp.MustCompile(`^task-[a-z0-9]{8}$`)
	processIDForm = regexp.MustCompile(`^proc-[a-z0-9]{8}$`)
	identForm     = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*$`)
)

// knownNS are the namespaces whose elements the import understands or consumes.
var knownNS = map[string]bool{
	NSModel: true, NSDI: true, NSDC: true, NSDD: true, NSFlowcraft: true,
	nsCamunda: true, nsZeebe: true, nsFlowable: true, nsActiviti: true,
	nsXSI: true, "http://www.w3.org/XML/1998/namespace": true, "": true,
	// Modeler bookkeeping and colours: nothing to execute, nothing to report.
	"http://camunda.org/schema/modeler/1.0": true, "http://bpmn.io/schema/bpmn/biocolor/1.0": true,
	"http://www.omg.org/spec/BPMN/non-normative/color/1.0": true,
}

// vendorNS are the vendor namespaces whose extensions Import reads.
var vendorNS = map[string]string{nsCamunda: "camunda", nsZeebe: "zeebe", nsFlowable: "flowable", nsActiviti: "activiti"}

// importer maps one document.
type importer struct {
	root    *elem
	byID    map[string]*elem
	rep     *reporter
	bounds  map[string][4]float64 // DI shape bounds by BPMN element id
	errors  map[string]string     // error id → errorCode
	pools   map[string]*elem      // process id → participant
	procIDs map[string]string     // BPMN process id → flowcraft process id ("" none)
	// consumed are the extension elements the mapping read.
	consumed map[*elem]bool
	js       Checker // compiles the JavaScript the mapping makes, to check it
}

func newImporter(root *elem, js Checker) *importer {
	im := &importer{root: root, js: js, byID: map[string]*elem{}, rep: newReporter(), bounds: map[string][4]float64{},
		errors: map[string]string{}, pools: map[string]*elem{}, procIDs: map[string]string{}, consumed: map[*elem]bool{}}
	im.index(root)
	return im
}

// index records every element with an id, the DI bounds and the unknown namespaces.
func (im *importer) index(root *elem) {
	unknown := map[string]bool{}
	var order []string
	stack := []*elem{root}
	for len(stack) > 0 {
		e := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if !knownNS[e.Space] && !unknown[e.Space] {
			unknown[e.Space] = true
			order = append(order, e.Space)
		}
		for _, a := range e.Attr {
			if !knownNS[a.Name.Space] && !unknown[a.Name.Space] {
				unknown[a.Name.Space] = true
				order = append(order, a.Name.Space)
			}
		}
		if id := e.attr("", "id"); id != "" && e.Space == NSModel {
			if _, dup := im.byID[id]; !dup {
				im.byID[id] = e
			}
		}
		if e.Space == NSDI && e.Local == "BPMNShape" {
			ref := e.attr("", "bpmnElement")
			if b := e.kid(NSDC, "Bounds"); b != nil && ref != "" {
				if _, dup := im.bounds[ref]; !dup {
					if v, ok := parseBounds(b); ok {
						im.bounds[ref] = v
					}
				}
			}
			continue
		}
		for i := len(e.Kids) - 1; i >= 0; i-- {
			stack = append(stack, e.Kids[i])
		}
	}
	slices.Sort(order)
	for _, ns := range order {
		im.rep.approx("namespace", ns, nt("namespace_ignored"))
	}
}

func parseBounds(b *elem) ([4]float64, bool) {
	var v [4]float64
	for i, k := range []string{"x", "y", "width", "height"} {
		f, err := strconv.ParseFloat(strings.TrimSpace(b.attr("", k)), 64)
		if err != nil || f != f || f > 1e9 || f < -1e9 {
			return v, false
		}
		v[i] = f
	}
	return v, true
}

func (im *importer) run() (*Result, error) {
	var procs []*elem
	for _, e := range im.root.Kids {
		switch {
		case e.Space == NSModel && e.Local == "process":
			procs = append(procs, e)
		case e.Space == NSModel && e.Local == "collaboration":
			im.collaboration(e)
		case e.Space == NSModel && e.Local == "error":
			im.errors[e.attr("", "id")] = e.attr("", "errorCode")
			im.rep.see("error", e.attr("", "id"))
		case e.Space == NSModel && slices.Contains(referenceRoots, e.Local):
			im.rep.see(e.Local, e.attr("", "id"))
		case e.Space == NSModel && e.Local == "extensionElements", e.Space == NSModel && e.Local == "documentation":
			im.extensions("definitions", e)
		case e.Space == NSDI:
		case e.Space == NSModel:
			im.rep.drop(e.Local, e.attr("", "id"), nt("root_element"))
		}
	}
	for _, p := range procs {
		id := p.attr("", "id")
		if processIDForm.MatchString(id) {
			im.procIDs[id] = id
		} else {
			im.procIDs[id] = ""
		}
	}
	if err := im.callCycles(procs); err != nil {
		return nil, err
	}
	res := &Result{Processes: []Imported{}}
	for _, p := range procs {
		imp, err := im.process(p)
		if err != nil {
			return nil, err
		}
		if imp != nil {
			res.Processes = append(res.Processes, *imp)
		}
	}
	if len(res.Processes) == 0 {
		return nil, errCode(engine.CodeBPMNNothing, nil, "the document has no process with flow elements to import")
	}
	res.Report = im.rep.report()
	return res, nil
}

// referenceRoots are root elements that only define what others refer to.
var referenceRoots = []string{"message", "signal", "escalation", "itemDefinition", "dataStore", "resource",
	"interface", "category", "partnerRole", "partnerEntity", "correlationProperty", "endPoint", "eventDefinition",
	"timerEventDefinition", "messageEventDefinition", "signalEventDefinition", "errorEventDefinition"}

// collaboration records the pools (participant → process) and reports the rest.
func (im *importer) collaboration(c *elem) {
	im.rep.see("collaboration", c.attr("", "id"))
	for _, k := range c.Kids {
		if k.Space != NSModel {
			continue
		}
		id := k.attr("", "id")
		switch k.Local {
		case "participant":
			if ref := k.attr("", "processRef"); ref != "" {
				im.pools[ref] = k
				im.rep.see("participant", id)
			} else {
				im.rep.approx("participant", id, nt("black_box_pool"))
			}
		case "messageFlow":
			im.rep.approx("messageFlow", id, nt("message_flow"))
		case "textAnnotation", "association", "group":
			im.rep.approx(k.Local, id, nt("diagram_only"))
		case "extensionElements", "documentation":
		default:
			im.rep.drop(k.Local, id, nt("collaboration_element"))
		}
	}
}

// extensions reports the extension elements of host that the import did not consume.
func (im *importer) extensions(hostID string, x *elem) {
	if x == nil || x.Local != "extensionElements" {
		return
	}
	for _, k := range x.Kids {
		if k.Space == NSFlowcraft || !knownNS[k.Space] || im.consumed[k] {
			continue // flowcraft's own (overlay), an unknown namespace (reported once), or read
		}
		name := vendorNS[k.Space] + ":" + k.Local
		if k.Space == NSModel {
			name = k.Local
		}
		switch k.Local {
		case "executionListener", "taskListener":
			im.rep.drop(name, hostID, nt("listeners"))
		default:
			im.rep.approx(name, hostID, nt("extension_ignored"))
		}
	}
}

// callCycles refuses call activities that call each other in a cycle within the
// document.
func (im *importer) callCycles(procs []*elem) error {
	calls := map[string][]string{}
	for _, p := range procs {
		id := p.attr("", "id")
		walk(p, func(e *elem) {
			if e.Space == NSModel && e.Local == "callActivity" {
				if c := calledElement(e); c != "" {
					if _, in := im.procIDs[c]; in {
						calls[id] = append(calls[id], c)
					}
				}
			}
		})
	}
	state := map[string]int{}
	var path []string
	var visit func(string) []string
	visit = func(id string) []string {
		state[id] = 1
		path = append(path, id)
		for _, c := range calls[id] {
			switch state[c] {
			case 1:
				i := slices.Index(path, c)
				return append(slices.Clone(path[i:]), c)
			case 0:
				if cyc := visit(c); cyc != nil {
					return cyc
				}
			}
		}
		path = path[:len(path)-1]
		state[id] = 2
		return nil
	}
	for _, p := range procs {
		if id := p.attr("", "id"); state[id] == 0 {
			if cyc := visit(id); cyc != nil {
				s := strings.Join(cyc, " → ")
				return errCode(engine.CodeBPMNCallCycle, engine.Params{"cycle": s}, "call activities call each other in a cycle: %s", s)
			}
		}
	}
	return nil
}

// calledElement is the process a call activity calls.
func calledElement(e *elem) string {
	if c := strings.TrimSpace(e.attr("", "calledElement")); c != "" {
		return c
	}
	if z := e.ext().kid(nsZeebe, "calledElement"); z != nil {
		return strings.TrimSpace(z.attr("", "processId"))
	}
	return ""
}

// walk calls f on e and everything inside it.
func walk(e *elem, f func(*elem)) {
	f(e)
	for _, k := range e.Kids {
		walk(k, f)
	}
}

// reporter collects the report.
type reporter struct {
	seen  map[string]bool
	noted map[string]bool
	order []string
	// quiet are the ids of flow nodes with a flowcraft task extension: what would be
	// dropped of the standard mapping is not, since the extension carries the task
	// (the overlay removes their approximation notes when it applies).
	quiet map[string]bool
	rep   Report
}

func newReporter() *reporter {
	return &reporter{seen: map[string]bool{}, noted: map[string]bool{}, quiet: map[string]bool{},
		rep: Report{Approximated: []Note{}, Dropped: []Note{}}}
}

func (r *reporter) see(element, id string) {
	k := element + "\x00" + id
	if !r.seen[k] {
		r.seen[k] = true
		r.order = append(r.order, k)
	}
}

func (r *reporter) approx(element, id string, n noteMsg) {
	r.see(element, id)
	r.noted[element+"\x00"+id] = true
	r.rep.Approximated = append(r.rep.Approximated, Note{Element: element, ID: id, Code: n.code, Params: n.params, How: n.text()})
}

// approxAll notes each of ns as an approximation of the element.
func (r *reporter) approxAll(element, id string, ns []noteMsg) {
	for _, n := range ns {
		r.approx(element, id, n)
	}
}

func (r *reporter) drop(element, id string, n noteMsg) {
	r.see(element, id)
	if r.quiet[id] {
		return // the element's flowcraft extension says what it is
	}
	r.noted[element+"\x00"+id] = true
	r.rep.Dropped = append(r.rep.Dropped, Note{Element: element, ID: id, Code: n.code, Params: n.params, Why: n.text()})
}

func (r *reporter) report() Report {
	rep := r.rep
	for _, k := range r.order {
		if !r.noted[k] {
			rep.Mapped++
		}
	}
	return rep
}

// truncate shortens s to n runes.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// param makes a parameter holding v.
func param(v any) *engine.Parameter { return &engine.Parameter{Value: v} }

// jsonObject marshals m (never fails on the values the import builds).
func jsonObject(m map[string]any) json.RawMessage {
	b, err := json.Marshal(m)
	if err != nil {
		return json.RawMessage("{}")
	}
	return b
}

// layoutTasks places every task of p with the designer's auto-layout.
func layoutTasks(p *engine.Process) {
	nodes := make([]diagram.LayoutNode, 0, len(p.Tasks))
	var edges []diagram.LayoutEdge
	for _, t := range p.Tasks {
		w, h := cardSize(t.Template)
		nodes = append(nodes, diagram.LayoutNode{ID: t.InstID, W: w, H: h})
		for _, c := range t.Connections {
			edges = append(edges, diagram.LayoutEdge{From: t.InstID, To: c.To})
		}
	}
	pos := diagram.Layout(nodes, edges, diagram.LayoutOptions{})
	for _, t := range p.Tasks {
		xy := pos[t.InstID]
		t.Positions = []float64{xy[0], xy[1]}
	}
}
