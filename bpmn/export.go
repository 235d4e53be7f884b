package bpmn

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"flowcraft/engine"
	"flowcraft/engine/templates"
)

// What Export writes on the definitions element, and the id of a process without one.
const (
	exportTargetNS  = "https://flowcraft.dev/bpmn/processes"
	exporterName    = "flowcraft"
	exporterVersion = "1.0"
	// fallbackProcessID is the process element's id when the definition has none yet
	// (or one that is not an XML name).
	fallbackProcessID = "Process_flowcraft"
)

// Export writes p as a BPMN 2.0 document: valid against the OMG XSD, with DI (shapes
// from positions, edges with waypoints), flowcraft's settings in extensionElements
// (namespace NSFlowcraft) so that Import(Export(p)) gives p again.
//
// The output depends on p only (same definition, same bytes). Every definition the
// engine accepts exports; a definition it would not accept (connections to unknown
// tasks, duplicate ids) still exports, leaving out what BPMN cannot reference.
func Export(p *engine.Process) ([]byte, error) {
	if p == nil {
		return nil, engine.Errorf(engine.ErrInvalid, "no process to export")
	}
	m := newExportModel(p)
	var w xmlWriter
	w.b.Grow(4096 + 2048*len(m.nodes) + 1024*len(m.flows))
	m.write(&w)
	return []byte(w.String()), nil
}

// exportNode is one task as a BPMN flow node.
type exportNode struct {
	task     *engine.Task
	id       string // element id
	kind     nodeKind
	incoming []string // sequence flow ids
	outgoing []string
	x, y     float64 // shape bounds
	w, h     float64
	shapeID  string
	message  string // webhook: the message root element's id
	defID    string // id of the event definition, when it has one
}

// exportFlow is one connection as a sequence flow (from a boundary event: from is
// nil, boundary set).
type exportFlow struct {
	id, edgeID string
	from, to   *exportNode
	boundary   *exportBoundary
	conn       engine.Connection
}

// exportBoundary is an error route of a task (errorHandler.routes, a goto target) as a
// boundary error event on the task's activity with a sequence flow to the target, so
// that modelers draw the error path and the target is not a disconnected node.
type exportBoundary struct {
	id, shapeID, defID string
	host               *exportNode
	code               string // "" catches every error
	errorID            string // the error root element's id ("" for a catch-all)
	flow               *exportFlow
	x, y               float64
}

// exportError is an error root element: one per error code routed.
type exportError struct {
	id, code string
}

// exportModel is everything Export derives from the definition before writing.
type exportModel struct {
	p         *engine.Process
	processID string
	nodes     []*exportNode
	flows     []*exportFlow
	bounds    []*exportBoundary
	errors    []*exportError
	defaults  map[*exportNode]string // gateway → its default flow id
	diagramID string
	planeID   string
	defsID    string
}

// idAllocator hands out unique XML ids, preferring the one asked for.
type idAllocator map[string]bool

func (a idAllocator) take(want string) string {
	id := want
	for n := 2; a[id]; n++ {
		id = want + "_" + strconv.Itoa(n)
	}
	a[id] = true
	return id
}

func newExportModel(p *engine.Process) *exportModel {
	m := &exportModel{p: p, defaults: map[*exportNode]string{}}
	ids := idAllocator{}
	byTask := map[string]*exportNode{}
	for i, t := range p.Tasks {
		if t == nil {
			continue
		}
		n := &exportNode{task: t, id: ids.take(elementID(t.InstID)), kind: kindOf(t)}
		if _, dup := byTask[t.InstID]; !dup {
			byTask[t.InstID] = n
		}
		n.w, n.h = n.kind.size()
		pos := []float64{float64(i) * (136 + 60), 0}
		if len(t.Positions) >= 2 && finite(t.Positions[0]) && finite(t.Positions[1]) {
			pos = t.Positions[:2]
		}
		n.x, n.y = boundsFromPosition(t.Template, pos, n.w, n.h)
		m.nodes = append(m.nodes, n)
	}
	m.processID = fallbackProcessID
	if isNCName(p.ID) {
		m.processID = p.ID
	}
	m.processID = ids.take(m.processID)
	for _, n := range m.nodes {
		for i, c := range n.task.Connections {
			to := byTask[c.To]
			if to == nil {
				continue // not a valid definition; BPMN cannot point at nothing
			}
			f := &exportFlow{id: ids.take(fmt.Sprintf("flow-%s-%s-%d", n.id, to.id, i)), from: n, to: to, conn: c}
			m.flows = append(m.flows, f)
			n.outgoing = append(n.outgoing, f.id)
			if c.Default && n.kind.hasDefault() {
				if _, ok := m.defaults[n]; !ok {
					m.defaults[n] = f.id
				}
			}
		}
	}
	m.addBoundaries(ids, byTask)
	for _, f := range m.flows {
		f.to.incoming = append(f.to.incoming, f.id)
	}
	for _, n := range m.nodes {
		switch n.kind.def {
		case defMessage:
			n.message = ids.take("Message_" + n.id)
			n.defID = ids.take("MessageEventDefinition_" + n.id)
		case defTimerCycle, defTimerDuration, defTimerDate, defTimerNone:
			n.defID = ids.take("TimerEventDefinition_" + n.id)
		case defTerminate:
			n.defID = ids.take("TerminateEventDefinition_" + n.id)
		}
	}
	m.defsID = ids.take("Definitions_" + m.processID)
	m.diagramID = ids.take("BPMNDiagram_" + m.processID)
	m.planeID = ids.take("BPMNPlane_" + m.processID)
	for _, n := range m.nodes {
		n.shapeID = ids.take(n.id + "_di")
	}
	for _, b := range m.bounds {
		b.shapeID = ids.take(b.id + "_di")
	}
	for _, f := range m.flows {
		f.edgeID = ids.take(f.id + "_di")
	}
	return m
}

// addBoundaries makes the boundary error events of the activities' error routes (in
// task order, then route order; the goto target last, unless a catch-all route goes
// there already) and the error root elements they refer to.
func (m *exportModel) addBoundaries(ids idAllocator, byTask map[string]*exportNode) {
	errs := map[string]*exportError{}
	for _, n := range m.nodes {
		if !n.kind.isActivity() {
			continue
		}
		eh := n.task.ErrorHandler
		routes := slices.Clone(eh.Routes)
		if eh.Strategy == engine.StrategyGoto && eh.Target != "" {
			routes = append(routes, engine.ErrorRoute{ErrorCode: "", Target: eh.Target})
		}
		seen := map[engine.ErrorRoute]bool{}
		k := 0
		for _, r := range routes {
			to := byTask[r.Target]
			if to == nil || seen[r] {
				continue
			}
			seen[r] = true
			b := &exportBoundary{id: ids.take(fmt.Sprintf("Boundary_%s_%d", n.id, k)), host: n, code: r.ErrorCode}
			b.defID = ids.take("ErrorEventDefinition_" + b.id)
			if r.ErrorCode != "" {
				e := errs[r.ErrorCode]
				if e == nil {
					e = &exportError{id: ids.take("Error_" + ncNameFrom(r.ErrorCode)), code: r.ErrorCode}
					errs[r.ErrorCode] = e
					m.errors = append(m.errors, e)
				}
				b.errorID = e.id
			}
			// On the host's bottom edge, from the left, 40 apart.
			b.x, b.y = n.x+8+float64(k)*40, n.y+n.h-eventW/2
			b.flow = &exportFlow{id: ids.take(fmt.Sprintf("flow-%s-%s-0", b.id, to.id)), to: to, boundary: b}
			m.flows = append(m.flows, b.flow)
			m.bounds = append(m.bounds, b)
			k++
		}
	}
}

// ncNameFrom makes the tail of an XML name out of any text: what is not a name
// character becomes '_' (at most 40 bytes are used).
func ncNameFrom(s string) string {
	var b strings.Builder
	for i := 0; i < len(s) && i < 40; i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' {
			b.WriteByte(c)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// elementID is the BPMN element id of a task: the task id itself when it is an XML
// name that Import keeps as a task id (task-xxxxxxxx always is), else a name derived
// from it (the extension then carries the original id).
func elementID(taskID string) string {
	if isNCName(taskID) && len(taskID) <= 64 {
		return taskID
	}
	h := fnv.New64a()
	h.Write([]byte(taskID))
	return fmt.Sprintf("task_%016x", h.Sum64())
}

// isNCName reports whether s is an ASCII XML NCName (an id BPMN can carry).
func isNCName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case i > 0 && (c >= '0' && c <= '9' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return true
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// Event definitions a node may carry.
const (
	defNone = iota
	defMessage
	defTimerCycle
	defTimerDuration
	defTimerDate
	defTimerNone // a timer whose time is not set
	defTerminate
)

// nodeKind is the BPMN element a template exports as.
type nodeKind struct {
	elem string // local name: startEvent, scriptTask, ...
	def  int
}

func (k nodeKind) isEvent() bool   { return strings.HasSuffix(k.elem, "Event") }
func (k nodeKind) isGateway() bool { return strings.HasSuffix(k.elem, "Gateway") }

// isActivity reports whether the element is an activity (boundary events attach to
// activities only).
func (k nodeKind) isActivity() bool { return !k.isEvent() && !k.isGateway() }

// hasDefault reports whether Export writes the element's default connection as its
// `default` attribute: the exclusive and the inclusive gateway's (activities have the
// attribute too, but there it makes every other flow conditional, which a flowcraft
// task's connections are not). Any other element's default connection is kept in the
// extension (defaultTo).
func (k nodeKind) hasDefault() bool {
	return k.elem == "exclusiveGateway" || k.elem == "inclusiveGateway"
}

// size is the BPMN shape size of the element (bpmn.io's defaults).
func (k nodeKind) size() (w, h float64) {
	switch {
	case k.isEvent():
		return eventW, eventW
	case k.isGateway():
		return gatewayW, gatewayW
	}
	return taskW, taskH
}

// kindOf maps a task's template to its BPMN element.
func kindOf(t *engine.Task) nodeKind {
	switch t.Template {
	case "manual":
		return nodeKind{elem: "startEvent"}
	case "webhook":
		return nodeKind{elem: "startEvent", def: defMessage}
	case "cron-timer":
		if _, ok := stringParam(t, "cron"); ok {
			return nodeKind{elem: "startEvent", def: defTimerCycle}
		}
		return nodeKind{elem: "startEvent", def: defTimerNone}
	case "script":
		return nodeKind{elem: "scriptTask"}
	case "http-request", "database-handler", "external-task":
		return nodeKind{elem: "serviceTask"}
	case "approval":
		return nodeKind{elem: "userTask"}
	case "exclusive-gateway":
		return nodeKind{elem: "exclusiveGateway"}
	case "parallel-gateway":
		return nodeKind{elem: "parallelGateway"}
	case "inclusive-gateway":
		return nodeKind{elem: "inclusiveGateway"}
	case "delay":
		if _, ok := delayDuration(t); ok {
			return nodeKind{elem: "intermediateCatchEvent", def: defTimerDuration}
		}
		if _, ok := stringParam(t, "until"); ok {
			return nodeKind{elem: "intermediateCatchEvent", def: defTimerDate}
		}
		return nodeKind{elem: "intermediateCatchEvent", def: defTimerNone}
	case "subprocess":
		return nodeKind{elem: "callActivity"}
	case "milestone":
		return nodeKind{elem: "intermediateThrowEvent"}
	case "end":
		if b, _ := paramValue(t, "terminate").(bool); b {
			return nodeKind{elem: "endEvent", def: defTerminate}
		}
		return nodeKind{elem: "endEvent"}
	}
	return nodeKind{elem: "task"}
}

// paramValue is the value of a task parameter (nil when absent).
func paramValue(t *engine.Task, key string) any {
	if prm := t.Parameters[key]; prm != nil {
		return prm.Value
	}
	return nil
}

// stringParam is a parameter's value when it is a set string.
func stringParam(t *engine.Task, key string) (string, bool) {
	s, ok := paramValue(t, key).(string)
	return s, ok && !templates.IsUnset(s)
}

// delayDuration is the timeDuration text of a delay: an ISO-8601 duration when the
// duration is a constant, else the expression's text.
func delayDuration(t *engine.Task) (string, bool) {
	v := paramValue(t, "duration")
	if templates.IsUnset(v) {
		return "", false
	}
	if templates.IsDynamic(v) {
		return v.(string), true
	}
	d, err := templates.ParseDuration(v)
	if err != nil {
		if s, ok := v.(string); ok {
			return s, true
		}
		return "", false
	}
	return isoDuration(d), true
}

// isoDuration writes d as an ISO-8601 duration (days, hours, minutes, seconds).
func isoDuration(d time.Duration) string {
	if d <= 0 {
		return "PT0S"
	}
	var b strings.Builder
	b.WriteString("P")
	if days := d / (24 * time.Hour); days > 0 {
		fmt.Fprintf(&b, "%dD", days)
		d -= days * 24 * time.Hour
	}
	if d > 0 {
		b.WriteString("T")
		if h := d / time.Hour; h > 0 {
			fmt.Fprintf(&b, "%dH", h)
			d -= h * time.Hour
		}
		if m := d / time.Minute; m > 0 {
			fmt.Fprintf(&b, "%dM", m)
			d -= m * time.Minute
		}
		if d > 0 {
			b.WriteString(strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "S")
		}
	}
	return b.String()
}

// plainList is a parameter's value as a list of plain names (no expression, no comma:
// what camunda:candidateUsers and the like can carry); ok is false otherwise.
func plainList(v any) ([]string, bool) {
	var items []string
	switch x := v.(type) {
	case []string:
		items = x
	case []any:
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			items = append(items, s)
		}
	case string:
		if templates.IsUnset(x) {
			return nil, false
		}
		items = []string{x}
	default:
		return nil, false
	}
	if len(items) == 0 {
		return nil, false
	}
	for _, s := range items {
		if strings.TrimSpace(s) == "" || strings.ContainsAny(s, ",{}$#") {
			return nil, false
		}
	}
	return items, true
}

func (m *exportModel) write(w *xmlWriter) {
	w.raw(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	w.open("bpmn:definitions",
		"xmlns:xsi", nsXSI,
		"xmlns:bpmn", NSModel,
		"xmlns:bpmndi", NSDI,
		"xmlns:dc", NSDC,
		"xmlns:di", NSDD,
		"xmlns:camunda", nsCamunda,
		"xmlns:flowcraft", NSFlowcraft,
		"id", m.defsID,
		"targetNamespace", exportTargetNS,
		"exporter", exporterName,
		"exporterVersion", exporterVersion)
	m.writeProcess(w)
	for _, n := range m.nodes {
		if n.message != "" {
			name := n.task.Name
			if strings.TrimSpace(name) == "" {
				name = n.id
			}
			w.empty("bpmn:message", "id", n.message, "name", name)
		}
	}
	for _, e := range m.errors {
		w.empty("bpmn:error", "id", e.id, "name", e.code, "errorCode", e.code)
	}
	m.writeDiagram(w)
	w.close("bpmn:definitions")
}

func (m *exportModel) writeProcess(w *xmlWriter) {
	p := m.p
	attrs := []string{"id", m.processID}
	if p.Name != "" {
		attrs = append(attrs, "name", p.Name)
	}
	attrs = append(attrs, "isExecutable", "true")
	if p.HistoryTTLDays > 0 {
		attrs = append(attrs, "camunda:historyTimeToLive", strconv.Itoa(p.HistoryTTLDays))
	}
	w.open("bpmn:process", attrs...)
	if p.Description != "" {
		w.text("bpmn:documentation", p.Description)
	}
	w.open("bpmn:extensionElements")
	w.text("flowcraft:process", processExtJSON(p))
	w.close("bpmn:extensionElements")
	for _, n := range m.nodes {
		m.writeNode(w, n)
	}
	for _, b := range m.bounds {
		name := "error"
		if b.code != "" {
			name = "error " + b.code
		}
		w.open("bpmn:boundaryEvent", "id", b.id, "name", name, "attachedToRef", b.host.id)
		w.text("bpmn:outgoing", b.flow.id)
		if b.errorID != "" {
			w.empty("bpmn:errorEventDefinition", "id", b.defID, "errorRef", b.errorID)
		} else {
			w.empty("bpmn:errorEventDefinition", "id", b.defID)
		}
		w.close("bpmn:boundaryEvent")
	}
	for _, f := range m.flows {
		attrs := []string{"id", f.id}
		if name := flowName(f.conn); name != "" {
			attrs = append(attrs, "name", name)
		}
		attrs = append(attrs, "sourceRef", f.sourceID(), "targetRef", f.to.id)
		if f.conn.Condition == "" {
			w.empty("bpmn:sequenceFlow", attrs...)
			continue
		}
		w.open("bpmn:sequenceFlow", attrs...)
		// The language says "flowcraft's own JavaScript": Import keeps such a
		// condition byte for byte (as "javascript" it would read it as a
		// Camunda-style script and could rewrite it).
		w.text("bpmn:conditionExpression", f.conn.Condition, "xsi:type", "bpmn:tFormalExpression", "language", NSFlowcraft)
		w.close("bpmn:sequenceFlow")
	}
	w.close("bpmn:process")
}

func (m *exportModel) writeNode(w *xmlWriter, n *exportNode) {
	t := n.task
	elem := "bpmn:" + n.kind.elem
	attrs := []string{"id", n.id}
	if t.Name != "" {
		attrs = append(attrs, "name", t.Name)
	}
	if d, ok := m.defaults[n]; ok {
		attrs = append(attrs, "default", d)
	}
	var script string
	switch n.kind.elem {
	case "scriptTask":
		attrs = append(attrs, "scriptFormat", "javascript")
		script, _ = paramValue(t, "code").(string)
	case "serviceTask":
		if t.Template == "external-task" {
			if topic, ok := stringParam(t, "topic"); ok {
				attrs = append(attrs, "camunda:type", "external", "camunda:topic", topic)
			}
		}
	case "userTask":
		if us, ok := plainList(paramValue(t, "assignees")); ok && len(us) == 1 {
			attrs = append(attrs, "camunda:assignee", us[0])
		}
		if us, ok := plainList(paramValue(t, "candidateUsers")); ok {
			attrs = append(attrs, "camunda:candidateUsers", strings.Join(us, ","))
		}
		if gs, ok := plainList(paramValue(t, "candidateGroups")); ok {
			attrs = append(attrs, "camunda:candidateGroups", strings.Join(gs, ","))
		}
	case "callActivity":
		if id, ok := stringParam(t, "processId"); ok && isNCName(id) {
			attrs = append(attrs, "calledElement", id)
		}
	}
	w.open(elem, attrs...)
	if t.Description != "" {
		w.text("bpmn:documentation", t.Description)
	}
	w.open("bpmn:extensionElements")
	w.text("flowcraft:task", taskExtJSON(t, n.kind))
	w.close("bpmn:extensionElements")
	for _, f := range n.incoming {
		w.text("bpmn:incoming", f)
	}
	for _, f := range n.outgoing {
		w.text("bpmn:outgoing", f)
	}
	switch n.kind.def {
	case defMessage:
		w.empty("bpmn:messageEventDefinition", "id", n.defID, "messageRef", n.message)
	case defTerminate:
		w.empty("bpmn:terminateEventDefinition", "id", n.defID)
	case defTimerNone:
		w.empty("bpmn:timerEventDefinition", "id", n.defID)
	case defTimerCycle, defTimerDuration, defTimerDate:
		var elem, text string
		switch n.kind.def {
		case defTimerCycle:
			elem, text = "bpmn:timeCycle", mustString(stringParam(t, "cron"))
		case defTimerDuration:
			elem, text = "bpmn:timeDuration", mustString(delayDuration(t))
		default:
			elem, text = "bpmn:timeDate", mustString(stringParam(t, "until"))
		}
		w.open("bpmn:timerEventDefinition", "id", n.defID)
		w.text(elem, text, "xsi:type", "bpmn:tFormalExpression")
		w.close("bpmn:timerEventDefinition")
	}
	if n.kind.isActivity() {
		writeLoop(w, t.LoopHandler)
	}
	if script != "" {
		w.text("bpmn:script", script)
	}
	w.close(elem)
}

func mustString(s string, _ bool) string { return s }

// writeLoop writes an activity's loop as BPMN loop characteristics, so that modelers
// show the loop marker: while → a standard loop (tested before each iteration, its
// maximum, the condition as JavaScript); forEach → a multi-instance marker, sequential
// unless parallel (the items expression stays in the extension: it is no expression a
// BPMN engine evaluates).
func writeLoop(w *xmlWriter, lh engine.LoopHandler) {
	switch lh.Mode {
	case engine.LoopWhile:
		attrs := []string{"testBefore", "true"}
		if lh.Max > 0 {
			attrs = append(attrs, "loopMaximum", strconv.Itoa(lh.Max))
		}
		if lh.Condition == "" {
			w.empty("bpmn:standardLoopCharacteristics", attrs...)
			return
		}
		w.open("bpmn:standardLoopCharacteristics", attrs...)
		w.text("bpmn:loopCondition", lh.Condition, "xsi:type", "bpmn:tFormalExpression", "language", NSFlowcraft)
		w.close("bpmn:standardLoopCharacteristics")
	case engine.LoopForEach:
		w.empty("bpmn:multiInstanceLoopCharacteristics", "isSequential", strconv.FormatBool(!lh.Parallel))
	}
}

func (m *exportModel) writeDiagram(w *xmlWriter) {
	w.open("bpmndi:BPMNDiagram", "id", m.diagramID)
	w.open("bpmndi:BPMNPlane", "id", m.planeID, "bpmnElement", m.processID)
	for _, n := range m.nodes {
		attrs := []string{"id", n.shapeID, "bpmnElement", n.id}
		if n.kind.elem == "exclusiveGateway" {
			attrs = append(attrs, "isMarkerVisible", "true")
		}
		w.open("bpmndi:BPMNShape", attrs...)
		w.empty("dc:Bounds", "x", num(n.x), "y", num(n.y), "width", num(n.w), "height", num(n.h))
		w.close("bpmndi:BPMNShape")
	}
	for _, b := range m.bounds {
		w.open("bpmndi:BPMNShape", "id", b.shapeID, "bpmnElement", b.id)
		w.empty("dc:Bounds", "x", num(b.x), "y", num(b.y), "width", num(eventW), "height", num(eventW))
		w.close("bpmndi:BPMNShape")
	}
	for _, f := range m.flows {
		w.open("bpmndi:BPMNEdge", "id", f.edgeID, "bpmnElement", f.id)
		var pts [][2]float64
		if f.boundary != nil {
			pts = boundaryWaypoints(f.boundary, f.to)
		} else {
			pts = waypoints(f.from, f.to)
		}
		for _, pt := range pts {
			w.empty("di:waypoint", "x", num(pt[0]), "y", num(pt[1]))
		}
		w.close("bpmndi:BPMNEdge")
	}
	w.close("bpmndi:BPMNPlane")
	w.close("bpmndi:BPMNDiagram")
}

func (f *exportFlow) sourceID() string {
	if f.boundary != nil {
		return f.boundary.id
	}
	return f.from.id
}

// waypoints route an edge from the source shape's right middle to the target's left
// middle, with two orthogonal bends half way when they are not level.
func waypoints(from, to *exportNode) [][2]float64 {
	x1, y1 := from.x+from.w, from.y+from.h/2
	x2, y2 := to.x, to.y+to.h/2
	if y1 == y2 {
		return [][2]float64{{x1, y1}, {x2, y2}}
	}
	mx := (x1 + x2) / 2
	return [][2]float64{{x1, y1}, {mx, y1}, {mx, y2}, {x2, y2}}
}

// boundaryWaypoints route an error path from the boundary event's bottom down to the
// target's middle height, then across to its nearer side; a target level with or
// above the event is reached round a bend below it.
func boundaryWaypoints(b *exportBoundary, to *exportNode) [][2]float64 {
	x1, y1 := b.x+eventW/2, b.y+eventW
	y2 := to.y + to.h/2
	x2 := to.x
	if to.x+to.w/2 < x1 {
		x2 = to.x + to.w
	}
	if y2 <= y1 {
		mx := (x1 + x2) / 2
		return [][2]float64{{x1, y1}, {x1, y1 + 20}, {mx, y1 + 20}, {mx, y2}, {x2, y2}}
	}
	return [][2]float64{{x1, y1}, {x1, y2}, {x2, y2}}
}

// num writes a coordinate as xsd:double, as short as exact.
func num(f float64) string {
	if f == 0 {
		return "0" // no "-0"
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// processSettings is the process's own settings in <flowcraft:process>: everything of the
// definition but its tasks, the fields the server sets and the tenant (where it is
// imported decides that).
type processSettings struct {
	ID               string          `json:"id,omitempty"` // for readability; applied only when it is a process id
	Name             string          `json:"name"`
	Description      string          `json:"description"`
	Engine           string          `json:"engine"`
	Enabled          bool            `json:"enabled"`
	Executor         string          `json:"executor"`
	Timeout          int64           `json:"timeout"`
	InputDataSchema  json.RawMessage `json:"inputDataSchema"`
	OutputDataSchema json.RawMessage `json:"outputDataSchema"`
	Extension        json.RawMessage `json:"extension"`
	Metadata         json.RawMessage `json:"metadata"`
	Category         string          `json:"category"`
	HistoryTTLDays   int             `json:"historyTimeToLive"`
	// PayloadAsVariables is written always: an import without it sets it (Camunda's
	// variable semantics), so a native definition must say false to come back as it was.
	PayloadAsVariables bool `json:"payloadAsVariables"`
}

// taskSettings is a task's own settings in <flowcraft:task>: everything but what the
// standard elements carry (name, positions, connections), and the task id: Import keeps
// only element ids of the form task-xxxxxxxx and the element id may have had to differ
// (a task id that is no XML name), so the extension gives the task its id back.
type taskSettings struct {
	InstID       string                       `json:"instId"`
	Description  string                       `json:"description"`
	Template     string                       `json:"template"`
	Parameters   map[string]*engine.Parameter `json:"parameters"`
	ErrorHandler engine.ErrorHandler          `json:"errorHandler"`
	LoopHandler  engine.LoopHandler           `json:"loopHandler"`
	Timeout      int64                        `json:"timeout"`
	IsIgnore     bool                         `json:"isIgnore"`
	// DefaultTo is the target of the default connection of an element whose default
	// BPMN cannot carry (a parallel gateway's, a milestone's).
	DefaultTo string `json:"defaultTo,omitempty"`
	// Unlabelled are the targets of the conditional connections without a label: their
	// sequence flows are named after the condition (modelers want conditional flows
	// labelled), which is no label of the definition's.
	Unlabelled []string `json:"unlabelled,omitempty"`
}

// maxFlowName bounds the name a sequence flow gets from its condition, in runes.
const maxFlowName = 60

// flowName is a sequence flow's name: the connection's label, or for a conditional
// connection without one the condition, shortened.
func flowName(c engine.Connection) string {
	if c.Label != "" || c.Condition == "" {
		return c.Label
	}
	name := strings.Join(strings.Fields(c.Condition), " ")
	if r := []rune(name); len(r) > maxFlowName {
		name = string(r[:maxFlowName-1]) + "…"
	}
	return name
}

func processExtJSON(p *engine.Process) string {
	return extJSON(processSettings{
		ID:                 p.ID,
		Name:               p.Name,
		Description:        p.Description,
		Engine:             p.Engine,
		Enabled:            p.Enabled,
		Executor:           p.Executor,
		Timeout:            p.Timeout,
		InputDataSchema:    validRaw(p.InputDataSchema),
		OutputDataSchema:   validRaw(p.OutputDataSchema),
		Extension:          validRaw(p.Extension),
		Metadata:           validRaw(p.Metadata),
		Category:           p.Category,
		HistoryTTLDays:     p.HistoryTTLDays,
		PayloadAsVariables: p.PayloadAsVariables,
	})
}

func taskExtJSON(t *engine.Task, kind nodeKind) string {
	defaultTo := ""
	var unlabelled []string
	for _, c := range t.Connections {
		if c.Default && defaultTo == "" && !kind.hasDefault() {
			defaultTo = c.To
		}
		if c.Label == "" && flowName(c) != "" {
			unlabelled = append(unlabelled, c.To)
		}
	}
	return extJSON(taskSettings{
		DefaultTo:    defaultTo,
		Unlabelled:   unlabelled,
		InstID:       t.InstID,
		Description:  t.Description,
		Template:     t.Template,
		Parameters:   t.Parameters,
		ErrorHandler: t.ErrorHandler,
		LoopHandler:  t.LoopHandler,
		Timeout:      t.Timeout,
		IsIgnore:     t.IsIgnore,
	})
}

// validRaw is a raw JSON value of the definition as the extension carries it: {} for
// none (what the engine stores for none) and for one that is not valid JSON (a
// hand-built definition may carry anything; the extension must stay parseable).
func validRaw(r json.RawMessage) json.RawMessage {
	if len(r) == 0 || !json.Valid(r) {
		return json.RawMessage("{}")
	}
	return r
}

// extJSON is v as compact JSON that XML can carry unchanged: characters XML 1.0 does
// not allow (they can only occur inside JSON strings) are written as \u escapes.
func extJSON(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only values json cannot represent (NaN in a parameter built in Go) get here.
		return "{}"
	}
	s := strings.TrimSuffix(b.String(), "\n")
	if strings.IndexFunc(s, func(r rune) bool { return !isXMLChar(r) }) < 0 {
		return s
	}
	var out strings.Builder
	for _, r := range s {
		if isXMLChar(r) {
			out.WriteRune(r)
		} else {
			fmt.Fprintf(&out, `\u%04x`, r)
		}
	}
	return out.String()
}

// isXMLChar reports whether XML 1.0 allows r in a document.
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// xmlWriter writes indented XML, escaping every attribute value and text.
type xmlWriter struct {
	b     strings.Builder
	depth int
}

func (w *xmlWriter) raw(s string) { w.b.WriteString(s) }

func (w *xmlWriter) String() string { return w.b.String() }

// indent is the indentation of up to 16 levels (Export nests 7 deep).
const indent = "                                "

func (w *xmlWriter) indent() {
	w.b.WriteString(indent[:min(2*w.depth, len(indent))])
}

func (w *xmlWriter) start(name string, attrs []string) {
	w.indent()
	w.b.WriteByte('<')
	w.b.WriteString(name)
	for i := 0; i+1 < len(attrs); i += 2 {
		w.b.WriteByte(' ')
		w.b.WriteString(attrs[i])
		w.b.WriteString(`="`)
		escape(&w.b, attrs[i+1], true)
		w.b.WriteByte('"')
	}
}

func (w *xmlWriter) open(name string, attrs ...string) {
	w.start(name, attrs)
	w.b.WriteString(">\n")
	w.depth++
}

func (w *xmlWriter) close(name string) {
	w.depth--
	w.indent()
	w.b.WriteString("</")
	w.b.WriteString(name)
	w.b.WriteString(">\n")
}

func (w *xmlWriter) empty(name string, attrs ...string) {
	w.start(name, attrs)
	w.b.WriteString(" />\n")
}

// text writes an element holding text only.
func (w *xmlWriter) text(name, text string, attrs ...string) {
	w.start(name, attrs)
	w.b.WriteString(">")
	escape(&w.b, text, false)
	w.b.WriteString("</")
	w.b.WriteString(name)
	w.b.WriteString(">\n")
}

// escape writes s as XML character data or, when attr is set, as an attribute value:
// markup characters (and an attribute's quotes) as references, carriage returns too (parsers turn a
// literal one into a line feed), tabs and line feeds of an attribute too (attribute
// value normalisation would make them spaces); characters XML cannot carry and
// invalid UTF-8 as U+FFFD.
func escape(b *strings.Builder, s string, attr bool) {
	last := 0 // s[last:i] is still to be written as it is
	for i := 0; i < len(s); {
		c := s[i]
		var repl string
		size := 1
		switch {
		case c == '<':
			repl = "&lt;"
		case c == '>':
			repl = "&gt;"
		case c == '&':
			repl = "&amp;"
		case c == '"' && attr:
			repl = "&quot;"
		case c == '\t' && attr:
			repl = "&#x9;"
		case c == '\n' && attr:
			repl = "&#xA;"
		case c == '\r':
			repl = "&#xD;"
		case c < 0x20 && c != '\t' && c != '\n':
			repl = "\uFFFD"
		case c >= utf8.RuneSelf:
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			if (r == utf8.RuneError && size == 1) || !isXMLChar(r) {
				repl = "\uFFFD"
			}
		}
		if repl != "" {
			b.WriteString(s[last:i])
			b.WriteString(repl)
			last = i + size
		}
		i += size
	}
	b.WriteString(s[last:])
}
