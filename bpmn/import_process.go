package bpmn

import (
	"slices"
	"strconv"
	"strings"

	"flowcraft/engine"
)

// How a BPMN node takes part in the definition.
const (
	nodeReal        = iota // a task of its own
	nodeTransparent        // a pass-through point: flows into it continue at its one successor
	nodeGone               // nothing: flows into it end there
)

// bnode is one BPMN flow node (or a point the import adds, such as the exit of an
// embedded subprocess).
type bnode struct {
	id, kind string
	el       *elem
	parent   *bnode // the embedded subprocess it is in
	mode     int
	task     *engine.Task
	out      []*bflow // outgoing sequence flows, in the source's <outgoing> order
	in       []*bflow
	implicit []*bnode // successors without a sequence flow
	exit     *bnode   // an embedded subprocess's exit point
	kidsOf   []*bnode // an embedded subprocess's nodes
	synth    bool     // added by the import: not reported
	shape    string   // the DI element whose shape places it ("" its id)
	// materialize is the template a transparent node becomes when it does not have
	// exactly one unconditional successor ("" use the default rule).
	materialize string
}

// bflow is one sequence flow.
type bflow struct {
	id, name  string
	el        *elem
	src, dst  *bnode
	cond      string // translated condition ("" none)
	isDefault bool
}

// procMapper maps one process.
type procMapper struct {
	im       *importer
	el       *elem
	bpmnID   string
	p        *engine.Process
	nodes    map[string]*bnode
	order    []*bnode
	flows    []*bflow
	bounds   []*bnode // boundary events
	usedIDs  map[string]bool
	ids      map[string]string // task id → BPMN id
	taskExt  map[string]string
	called   map[string]string
	meta     map[string]any
	starts   []*bnode // top-level start events
	trigger  *bnode
	initiate string // camunda:initiator variable
	annots   []map[string]any
	lanes    []map[string]any
	data     []map[string]any
	// extra are pass-through points that became tasks while connecting.
	extra       []*bnode
	triggerTask *engine.Task
	synthAfter  map[string]string // added end → the task it follows
	connected   map[*bnode]bool
}

func (im *importer) process(el *elem) (*Imported, error) {
	m := &procMapper{im: im, el: el, bpmnID: el.attr("", "id"), nodes: map[string]*bnode{}, usedIDs: map[string]bool{},
		ids: map[string]string{}, taskExt: map[string]string{}, called: map[string]string{}, meta: map[string]any{}, synthAfter: map[string]string{}, connected: map[*bnode]bool{},
		p: &engine.Process{Engine: engine.EngineStandard, Enabled: true, PayloadAsVariables: true}}
	rep := im.rep
	id := m.bpmnID
	// Flow nodes first (ids of the form task-xxxxxxxx are kept, so they must be known
	// before any id is generated).
	walk(el, func(e *elem) {
		if e.Space == NSModel && isFlowNode(e.Local) {
			if tid := e.attr("", "id"); taskIDForm.MatchString(tid) {
				m.usedIDs[tid] = true
			}
			if fc := e.ext().kid(NSFlowcraft, "task"); fc != nil {
				m.taskExt[e.attr("", "id")] = fc.Text()
				rep.quiet[e.attr("", "id")] = true
			}
		}
	})
	m.collect(el, nil)
	if len(m.order) == 0 {
		rep.approx("process", id, nt("process_empty"))
		return nil, nil
	}
	rep.see("process", id)
	m.processAttrs()
	m.connectFlows()
	for _, n := range m.order {
		if n.kind == "startEvent" && n.parent == nil && m.initiate == "" {
			m.initiate = n.el.vendorAttr("initiator")
		}
	}
	m.mapNodes()
	m.pickTrigger()
	m.attachBoundaries()
	m.buildConnections()
	m.addTriggerIfNone()
	m.addEnds()
	m.prune()
	m.positions()
	m.p.Metadata = m.metadata()
	for tid := range m.called {
		if m.p.Task(tid) == nil {
			delete(m.called, tid) // pruned
		}
	}
	imp := &Imported{BPMNID: id, Process: m.p, TaskIDs: map[string]string{}, CalledElements: m.called}
	for tid, bid := range m.ids {
		imp.TaskIDs[bid] = tid
	}
	processExt := ""
	if fc := el.ext().kid(NSFlowcraft, "process"); fc != nil {
		processExt = fc.Text()
	}
	if err := overlayFlowcraft(imp, processExt, m.taskExt, &rep.rep); err != nil {
		return nil, err
	}
	if len(imp.CalledElements) == 0 {
		imp.CalledElements = nil
	}
	return imp, nil
}

// isFlowNode reports whether a BPMN element is a flow node.
func isFlowNode(local string) bool {
	switch local {
	case "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
		"task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask",
		"businessRuleTask", "callActivity", "subProcess", "transaction", "adHocSubProcess",
		"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway":
		return true
	}
	return false
}

// processAttrs maps the process's own attributes: name, documentation, history TTL,
// candidate starters, executable flag.
func (m *procMapper) processAttrs() {
	el, rep, id := m.el, m.im.rep, m.bpmnID
	name := strings.TrimSpace(el.attr("", "name"))
	if name == "" {
		if pool := m.im.pools[id]; pool != nil {
			name = strings.TrimSpace(pool.attr("", "name"))
		}
	}
	if name == "" {
		name = id
	}
	if len([]rune(name)) > 200 {
		rep.approx("process", id, nt("name_cut"))
	}
	m.p.Name = truncate(name, 200)
	if d := el.kid(NSModel, "documentation"); d != nil {
		m.p.Description = d.Text()
	}
	m.p.ID = m.im.procIDs[id]
	if v := el.isExecutable(); v == "false" {
		rep.approx("process", id, nt("not_executable"))
	}
	for _, ns := range []string{nsCamunda, nsFlowable, nsActiviti, nsZeebe} {
		ttl := strings.TrimSpace(el.attr(ns, "historyTimeToLive"))
		if ttl == "" {
			continue
		}
		if days, ok := ttlDays(ttl); ok {
			m.p.HistoryTTLDays = days
		} else {
			rep.approx("process", id, nt("history_ttl", "value", ttl))
		}
		break
	}
	users := splitList(el.vendorAttr("candidateStarterUsers"))
	groups := splitList(el.vendorAttr("candidateStarterGroups"))
	if len(users)+len(groups) > 0 {
		cs := map[string]any{}
		if len(users) > 0 {
			cs["users"] = users
		}
		if len(groups) > 0 {
			cs["groups"] = groups
		}
		m.meta[MetaCandidateStarters] = cs
		rep.approx("process", id, nt("candidate_starters"))
	}
	m.vendorAttrs("process", id, el)
	m.im.extensions(id, el.ext())
	if pool := m.im.pools[id]; pool != nil {
		m.meta["participant"] = map[string]any{"id": pool.attr("", "id"), "name": pool.attr("", "name")}
	}
	var flows []map[string]any
	for _, c := range m.im.root.kids(NSModel, "collaboration") {
		for _, mf := range c.kids(NSModel, "messageFlow") {
			src, dst := mf.attr("", "sourceRef"), mf.attr("", "targetRef")
			if m.nodes[src] != nil || m.nodes[dst] != nil || m.im.pools[id] != nil && (m.im.pools[id].attr("", "id") == src || m.im.pools[id].attr("", "id") == dst) {
				flows = append(flows, map[string]any{"id": mf.attr("", "id"), "name": mf.attr("", "name"), "sourceRef": src, "targetRef": dst})
			}
		}
	}
	if flows != nil {
		m.meta["messageFlows"] = flows
	}
}

// isExecutable is the process's isExecutable attribute ("" when absent).
func (e *elem) isExecutable() string { return strings.TrimSpace(e.attr("", "isExecutable")) }

// ttlDays reads a history time-to-live: a number of days or an ISO duration P<n>D.
func ttlDays(s string) (int, bool) {
	if n, err := strconv.Atoi(s); err == nil && n >= 0 {
		return n, true
	}
	u := strings.ToUpper(s)
	if strings.HasPrefix(u, "P") && strings.HasSuffix(u, "D") {
		if n, err := strconv.Atoi(u[1 : len(u)-1]); err == nil && n >= 0 {
			return n, true
		}
	}
	return 0, false
}

// splitList splits a comma-separated list, trimming blanks.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// collect records the flow nodes, flows and artifacts of a process or an embedded
// subprocess.
func (m *procMapper) collect(container *elem, parent *bnode) {
	rep := m.im.rep
	for _, e := range container.Kids {
		if e.Space != NSModel {
			continue // vendor elements outside extensionElements: their namespace is reported
		}
		id := e.attr("", "id")
		switch {
		case isFlowNode(e.Local):
			if id == "" || m.nodes[id] != nil {
				rep.drop(e.Local, id, nt("flow_node_id"))
				continue
			}
			n := &bnode{id: id, kind: e.Local, el: e, parent: parent}
			m.nodes[id] = n
			m.order = append(m.order, n)
			if parent != nil {
				parent.kidsOf = append(parent.kidsOf, n)
			}
			if e.Local == "subProcess" && e.attr("", "triggeredByEvent") != "true" {
				m.collect(e, n)
			}
		case e.Local == "sequenceFlow":
			f := &bflow{id: id, name: strings.TrimSpace(e.attr("", "name")), el: e}
			m.flows = append(m.flows, f)
		case e.Local == "laneSet":
			m.laneSet(e)
		case e.Local == "textAnnotation":
			text := ""
			if t := e.kid(NSModel, "text"); t != nil {
				text = t.Text()
			}
			m.annots = append(m.annots, map[string]any{"id": id, "text": text})
			rep.see("textAnnotation", id)
		case e.Local == "association":
			m.data = append(m.data, map[string]any{"kind": "association", "id": id, "sourceRef": e.attr("", "sourceRef"), "targetRef": e.attr("", "targetRef")})
			rep.see("association", id)
		case e.Local == "group", e.Local == "dataObject", e.Local == "dataObjectReference", e.Local == "dataStoreReference",
			e.Local == "dataInput", e.Local == "dataOutput", e.Local == "property", e.Local == "ioSpecification":
			m.data = append(m.data, map[string]any{"kind": e.Local, "id": id, "name": e.attr("", "name")})
			rep.approx(e.Local, id, nt("artifact_kept"))
		case e.Local == "extensionElements", e.Local == "documentation", e.Local == "incoming", e.Local == "outgoing",
			e.Local == "multiInstanceLoopCharacteristics", e.Local == "standardLoopCharacteristics",
			e.Local == "dataInputAssociation", e.Local == "dataOutputAssociation", e.Local == "ioSpecification_":
			// consumed by the owner (a subprocess's loop, io...)
		default:
			rep.drop(e.Local, id, nt("element_unsupported"))
		}
	}
}

// laneSet keeps lanes (and nested lane sets) as metadata.
func (m *procMapper) laneSet(ls *elem) {
	for _, l := range ls.kids(NSModel, "lane") {
		var refs []string
		for _, r := range l.kids(NSModel, "flowNodeRef") {
			refs = append(refs, r.Text())
		}
		m.lanes = append(m.lanes, map[string]any{"id": l.attr("", "id"), "name": l.attr("", "name"), "flowNodeRefs": refs})
		m.im.rep.see("lane", l.attr("", "id"))
		if child := l.kid(NSModel, "childLaneSet"); child != nil {
			m.laneSet(child)
		}
	}
}

// connectFlows resolves the flows' ends and orders each node's outgoing flows.
func (m *procMapper) connectFlows() {
	rep := m.im.rep
	byID := map[string]*bflow{}
	for _, f := range m.flows {
		e := f.el
		f.src, f.dst = m.nodes[e.attr("", "sourceRef")], m.nodes[e.attr("", "targetRef")]
		if f.src == nil || f.dst == nil {
			rep.drop("sequenceFlow", f.id, nt("flow_dangling"))
			f.src, f.dst = nil, nil
			continue
		}
		byID[f.id] = f
		f.src.out = append(f.src.out, f)
		f.dst.in = append(f.dst.in, f)
	}
	// The order of the source's <outgoing> list, when it lists every flow.
	for _, n := range m.order {
		outs := n.el.kids(NSModel, "outgoing")
		if len(outs) != len(n.out) || len(outs) < 2 {
			continue
		}
		var ordered []*bflow
		for _, o := range outs {
			if f := byID[o.Text()]; f != nil && f.src == n && !slices.Contains(ordered, f) {
				ordered = append(ordered, f)
			}
		}
		if len(ordered) == len(n.out) {
			n.out = ordered
		}
	}
	// Defaults of gateways and activities.
	for _, n := range m.order {
		if def := n.el.attr("", "default"); def != "" {
			if f := byID[def]; f != nil && f.src == n {
				f.isDefault = true
			}
		}
	}
	// Conditions.
	for _, f := range m.flows {
		if f.src == nil {
			continue
		}
		ce := f.el.kid(NSModel, "conditionExpression")
		text := ""
		if ce != nil {
			text = ce.Text()
		}
		switch {
		case f.isDefault:
			if text != "" {
				rep.approx("sequenceFlow", f.id, nt("default_condition"))
			} else {
				rep.see("sequenceFlow", f.id)
			}
		case text == "":
			rep.see("sequenceFlow", f.id)
		default:
			js, err := translateExpression(m.im.js, ce.attr("", "language"), text)
			if err != nil {
				f.cond = "false"
				rep.drop("sequenceFlow", f.id, nt("condition_untranslated", "text", text, "reason", errText(err)))
			} else {
				f.cond = js
				rep.see("sequenceFlow", f.id)
			}
		}
		m.vendorAttrs("sequenceFlow", f.id, f.el)
		m.im.extensions(f.id, f.el.ext())
	}
}

// errText is the message of an import helper's error.
func errText(err error) string {
	if e, ok := err.(*engine.Error); ok {
		return e.Message
	}
	return err.Error()
}

// newTask makes the task of node n: the BPMN id when it has flowcraft's form, else a
// fresh one (remembered in metadata.bpmn.ids).
func (m *procMapper) newTask(n *bnode, template string) *engine.Task {
	t := &engine.Task{Template: template, Parameters: map[string]*engine.Parameter{}, Connections: []engine.Connection{}}
	if n != nil && !n.synth && taskIDForm.MatchString(n.id) {
		t.InstID = n.id
	} else {
		for {
			t.InstID = engine.NewTaskID()
			if !m.usedIDs[t.InstID] {
				break
			}
		}
		m.usedIDs[t.InstID] = true
		if n != nil && !n.synth {
			m.ids[t.InstID] = n.id
		}
	}
	if n != nil && n.el != nil {
		name := strings.TrimSpace(n.el.attr("", "name"))
		if name == "" {
			// What Camunda's Modeler, Cockpit and Tasklist show for an unnamed element
			// (not the template's label, which the validator would give it).
			name = n.id
		}
		if len([]rune(name)) > 200 {
			m.im.rep.approx(n.kind, n.id, nt("name_cut"))
		}
		t.Name = truncate(name, 200)
		if d := n.el.kid(NSModel, "documentation"); d != nil {
			t.Description = d.Text()
		}
	}
	m.p.Tasks = append(m.p.Tasks, t)
	if n != nil {
		n.task, n.mode = t, nodeReal
	}
	return t
}

// passThrough makes n a script task that passes its input on.
func (m *procMapper) passThrough(n *bnode) *engine.Task {
	t := m.newTask(n, "script")
	t.Parameters["code"] = param("return input")
	return t
}

// buildConnections turns sequence flows (through pass-through points) into
// connections.
func (m *procMapper) buildConnections() {
	for _, n := range m.order {
		if n.mode == nodeReal {
			m.connect(n)
		}
	}
	// Pass-through points that had to become tasks (appended while connecting).
	for i := 0; i < len(m.extra); i++ {
		m.connect(m.extra[i])
	}
}

// connect fills the connections of the real node n (once).
func (m *procMapper) connect(n *bnode) {
	if m.connected[n] {
		return
	}
	m.connected[n] = true
	rep := m.im.rep
	t := n.task
	seen := map[string]bool{}
	add := func(c engine.Connection, flowID string) {
		if c.To == "" {
			return
		}
		if c.To == t.InstID && n.kind == "startEvent" {
			return
		}
		if seen[c.To] {
			if flowID != "" {
				rep.approx("sequenceFlow", flowID, nt("flow_merged"))
			}
			return
		}
		seen[c.To] = true
		t.Connections = append(t.Connections, c)
	}
	gateway := strings.HasSuffix(t.Template, "gateway")
	for _, f := range n.out {
		to := m.resolve(f.dst, map[*bnode]bool{})
		c := engine.Connection{To: to, Label: truncate(f.name, 200), Condition: f.cond}
		if f.isDefault {
			if gateway {
				c.Default, c.Condition = true, ""
			} else {
				c.Condition = ""
				rep.approx("sequenceFlow", f.id, nt("activity_default_flow"))
			}
		}
		add(c, f.id)
	}
	for _, s := range n.implicit {
		add(engine.Connection{To: m.resolve(s, map[*bnode]bool{})}, "")
	}
	if t.Template == "exclusive-gateway" || t.Template == "inclusive-gateway" {
		// A gateway connection needs a condition or to be the default.
		if len(t.Connections) > 1 {
			hasDefault := slices.ContainsFunc(t.Connections, func(c engine.Connection) bool { return c.Default })
			for i := range t.Connections {
				c := &t.Connections[i]
				if c.Condition != "" || c.Default {
					continue
				}
				if !hasDefault {
					c.Default, hasDefault = true, true
					rep.approx(n.kind, n.id, nt("gateway_default_flow"))
				} else {
					c.Condition = "true"
					rep.approx(n.kind, n.id, nt("gateway_second_flow"))
				}
			}
		}
	}
}

// resolve is the task a flow into n arrives at: n's own, or for a pass-through point
// its one successor's ("" none).
func (m *procMapper) resolve(n *bnode, visiting map[*bnode]bool) string {
	if n == nil || visiting[n] {
		return ""
	}
	switch n.mode {
	case nodeReal:
		return n.task.InstID
	case nodeGone:
		return ""
	}
	visiting[n] = true
	succ := len(n.out) + len(n.implicit)
	conditional := slices.ContainsFunc(n.out, func(f *bflow) bool { return f.cond != "" })
	if succ == 1 && !conditional {
		if len(n.out) == 1 {
			return m.resolve(n.out[0].dst, visiting)
		}
		return m.resolve(n.implicit[0], visiting)
	}
	// No successor: nothing (or, for a boundary event, an end); several successors
	// or conditions: the point becomes a task of its own.
	var tpl string
	switch {
	case succ == 0 && n.materialize == "":
		return ""
	case succ == 0:
		tpl = n.materialize
	case conditional:
		tpl = "script" // an activity's conditional flows: each whose condition holds
	default:
		tpl = "parallel-gateway"
	}
	var t *engine.Task
	if tpl == "script" {
		t = m.passThrough(n)
	} else {
		t = m.newTask(n, tpl)
	}
	_ = t
	m.extra = append(m.extra, n)
	return n.task.InstID
}

// addTriggerIfNone gives a process without a start event a manual trigger leading to
// every task without incoming connections.
func (m *procMapper) addTriggerIfNone() {
	if m.trigger != nil {
		return
	}
	incoming := map[string]bool{}
	for _, t := range m.p.Tasks {
		for _, c := range t.Connections {
			incoming[c.To] = true
		}
		for _, r := range t.ErrorHandler.Routes {
			incoming[r.Target] = true
		}
		if t.ErrorHandler.Target != "" {
			incoming[t.ErrorHandler.Target] = true
		}
	}
	tr := m.newTask(&bnode{synth: true}, "manual")
	tr.Name = "Start"
	for _, t := range m.p.Tasks[:len(m.p.Tasks)-1] {
		if !incoming[t.InstID] {
			tr.Connections = append(tr.Connections, engine.Connection{To: t.InstID})
		}
	}
	m.p.Tasks = append([]*engine.Task{tr}, m.p.Tasks[:len(m.p.Tasks)-1]...)
	m.triggerTask = tr
	m.im.rep.approx("process", m.bpmnID, nt("no_start_event"))
}

// addEnds gives every branch that stops without an end task an end.
func (m *procMapper) addEnds() {
	for _, t := range slices.Clone(m.p.Tasks) {
		if len(t.Connections) > 0 || t.Template == "end" {
			continue
		}
		e := m.newTask(&bnode{synth: true}, "end")
		e.Name = "End"
		t.Connections = append(t.Connections, engine.Connection{To: e.InstID})
		m.synthAfter[e.InstID] = t.InstID
	}
}

// prune removes the tasks the trigger cannot reach (their elements are reported
// dropped).
func (m *procMapper) prune() {
	start := m.triggerTask
	if start == nil {
		return
	}
	byID := map[string]*engine.Task{}
	for _, t := range m.p.Tasks {
		byID[t.InstID] = t
	}
	reached := map[string]bool{start.InstID: true}
	queue := []string{start.InstID}
	for len(queue) > 0 {
		t := byID[queue[0]]
		queue = queue[1:]
		if t == nil {
			continue
		}
		next := []string{}
		for _, c := range t.Connections {
			next = append(next, c.To)
		}
		if t.ErrorHandler.Target != "" {
			next = append(next, t.ErrorHandler.Target)
		}
		for _, r := range t.ErrorHandler.Routes {
			next = append(next, r.Target)
		}
		for _, id := range next {
			if !reached[id] {
				reached[id] = true
				queue = append(queue, id)
			}
		}
	}
	kept := m.p.Tasks[:0]
	for _, t := range m.p.Tasks {
		if reached[t.InstID] {
			kept = append(kept, t)
			continue
		}
		if n := m.nodeOf(t); n != nil {
			m.im.rep.drop(n.kind, n.id, nt("unreachable"))
		}
		delete(m.ids, t.InstID)
	}
	m.p.Tasks = kept
}

// nodeOf is the BPMN node a task was made from (nil for added tasks).
func (m *procMapper) nodeOf(t *engine.Task) *bnode {
	for _, n := range m.order {
		if n.task == t {
			return n
		}
	}
	return nil
}

// positions places tasks: from the diagram when every mapped node has a shape (added
// tasks beside their neighbours), else with the designer's auto-layout.
func (m *procMapper) positions() {
	bounds := m.im.bounds
	byTask := map[string]*bnode{}
	for _, n := range append(slices.Clone(m.order), m.extra...) {
		if n.task != nil {
			byTask[n.task.InstID] = n
		}
	}
	for _, t := range m.p.Tasks {
		n := byTask[t.InstID]
		if n == nil {
			continue
		}
		sid := n.id
		if n.shape != "" {
			sid = n.shape
		}
		b, ok := bounds[sid]
		if !ok {
			layoutTasks(m.p)
			return
		}
		t.Positions = positionFromBounds(t.Template, b[0], b[1], b[2], b[3])
	}
	pos := map[string][]float64{}
	for _, t := range m.p.Tasks {
		if t.Positions != nil {
			pos[t.InstID] = t.Positions
		}
	}
	const step = 180.0
	for _, t := range m.p.Tasks {
		if t.Positions != nil {
			continue
		}
		switch {
		case t == m.triggerTask && len(t.Connections) > 0 && pos[t.Connections[0].To] != nil:
			p := pos[t.Connections[0].To]
			t.Positions = []float64{p[0] - step, p[1]}
		case m.synthAfter[t.InstID] != "" && pos[m.synthAfter[t.InstID]] != nil:
			p := pos[m.synthAfter[t.InstID]]
			t.Positions = []float64{p[0] + step, p[1]}
		default:
			layoutTasks(m.p)
			return
		}
	}
}

// metadata is what the definition keeps of the document.
func (m *procMapper) metadata() []byte {
	b := map[string]any{"processId": m.bpmnID}
	if len(m.ids) > 0 {
		b["ids"] = m.ids
	}
	if m.lanes != nil {
		for _, l := range m.lanes {
			var tasks []string
			for _, r := range l["flowNodeRefs"].([]string) {
				if n := m.nodes[r]; n != nil && n.task != nil {
					tasks = append(tasks, n.task.InstID)
				}
			}
			l["tasks"] = tasks
		}
		b["lanes"] = m.lanes
	}
	if m.annots != nil {
		for _, a := range m.annots {
			var targets []string
			for _, d := range m.data {
				if d["kind"] != "association" {
					continue
				}
				for _, pair := range [][2]any{{d["sourceRef"], d["targetRef"]}, {d["targetRef"], d["sourceRef"]}} {
					if pair[0] == a["id"] {
						if n := m.nodes[pair[1].(string)]; n != nil && n.task != nil {
							targets = append(targets, n.task.InstID)
						}
					}
				}
			}
			a["tasks"] = targets
		}
		b["annotations"] = m.annots
	}
	if m.data != nil {
		b["artifacts"] = m.data
	}
	for k, v := range m.meta {
		if k == MetaCandidateStarters {
			continue
		}
		b[k] = v
	}
	out := map[string]any{MetaBPMN: b}
	if cs, ok := m.meta[MetaCandidateStarters]; ok {
		out[MetaCandidateStarters] = cs
	}
	return jsonObject(out)
}
