package bpmn

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"flowcraft/engine"
)

// eventDef is the first event definition of an event (its local name without
// "EventDefinition": "timer", "message", ...; "" for a none event) and its element.
func (m *procMapper) eventDef(e *elem) (string, *elem) {
	for _, k := range e.Kids {
		if k.Space == NSModel && strings.HasSuffix(k.Local, "EventDefinition") {
			return strings.TrimSuffix(k.Local, "EventDefinition"), k
		}
	}
	for _, k := range e.kids(NSModel, "eventDefinitionRef") {
		if d := m.im.byID[k.Text()]; d != nil && strings.HasSuffix(d.Local, "EventDefinition") {
			return strings.TrimSuffix(d.Local, "EventDefinition"), d
		}
	}
	return "", nil
}

// eventDefCount counts an event's definitions (more than one: a multiple event).
func eventDefCount(e *elem) int {
	c := len(e.kids(NSModel, "eventDefinitionRef"))
	for _, k := range e.Kids {
		if k.Space == NSModel && strings.HasSuffix(k.Local, "EventDefinition") {
			c++
		}
	}
	return c
}

// timerOf is the timer definition's kind (timeDuration, timeDate, timeCycle) and text.
func timerOf(def *elem) (string, string) {
	for _, k := range []string{"timeDuration", "timeDate", "timeCycle"} {
		if e := def.kid(NSModel, k); e != nil {
			return k, e.Text()
		}
	}
	return "", ""
}

// mapNodes maps every flow node but the top-level start events (pickTrigger) and
// boundary events (attachBoundaries).
func (m *procMapper) mapNodes() {
	rep := m.im.rep
	for _, n := range m.order {
		e, id := n.el, n.id
		switch n.kind {
		case "startEvent":
			if n.parent == nil {
				m.starts = append(m.starts, n)
				continue
			}
			n.mode = nodeTransparent
			if kind, _ := m.eventDef(e); kind != "" {
				rep.approx(n.kind, id, nt("subprocess_start", "kind", kind))
			} else {
				rep.see(n.kind, id)
			}
		case "endEvent":
			m.endEvent(n)
		case "task", "manualTask":
			m.passThrough(n)
			rep.see(n.kind, id)
		case "receiveTask":
			m.passThrough(n)
			rep.approx(n.kind, id, nt("catch_passthrough"))
		case "serviceTask", "sendTask", "businessRuleTask":
			m.serviceTask(n)
		case "scriptTask":
			m.scriptTask(n)
		case "userTask":
			m.userTask(n)
		case "callActivity":
			m.callActivity(n)
		case "subProcess":
			m.subProcess(n)
		case "transaction", "adHocSubProcess":
			m.passThrough(n)
			rep.drop(n.kind, id, nt("content_unsupported", "element", n.kind))
		case "exclusiveGateway", "parallelGateway", "inclusiveGateway":
			m.newTask(n, map[string]string{"exclusiveGateway": "exclusive-gateway", "parallelGateway": "parallel-gateway",
				"inclusiveGateway": "inclusive-gateway"}[n.kind])
			rep.see(n.kind, id)
		case "complexGateway":
			m.newTask(n, "inclusive-gateway")
			rep.approx(n.kind, id, nt("inclusive_gateway"))
		case "eventBasedGateway":
			m.newTask(n, "exclusive-gateway")
			for i, f := range n.out {
				f.cond, f.isDefault = "false", i == 0
				if i == 0 {
					f.cond = ""
				}
			}
			rep.approx(n.kind, id, nt("event_gateway"))
		case "intermediateCatchEvent":
			m.catchEvent(n)
		case "intermediateThrowEvent":
			m.throwEvent(n)
		case "boundaryEvent":
			n.mode, n.materialize = nodeTransparent, "end"
			m.bounds = append(m.bounds, n)
		}
		if n.kind != "boundaryEvent" && n.kind != "startEvent" {
			m.loop(n)
		}
		m.vendorAttrs(n.kind, id, e)
		m.im.extensions(id, e.ext())
		m.otherChildren(n)
	}
	// Inside an embedded subprocess, what ends without an end event continues after
	// the subprocess, as BPMN's implicit end completes it.
	for _, n := range m.order {
		if n.exit == nil {
			continue
		}
		for _, k := range n.kidsOf {
			switch {
			case k.exit != nil:
				if len(k.exit.out) == 0 {
					k.exit.implicit = []*bnode{n.exit}
				}
			case k.mode == nodeReal && len(k.out) == 0 && len(k.implicit) == 0 && k.kind != "endEvent":
				k.implicit = []*bnode{n.exit}
			}
		}
	}
	// Link events: a throw continues at the catches of the same name.
	for _, n := range m.order {
		if n.kind != "intermediateThrowEvent" || n.mode != nodeTransparent {
			continue
		}
		_, d := m.eventDef(n.el)
		for _, c := range m.order {
			if c.kind == "intermediateCatchEvent" && c.mode == nodeTransparent {
				if _, cd := m.eventDef(c.el); cd != nil && cd.attr("", "name") == d.attr("", "name") {
					n.implicit = append(n.implicit, c)
				}
			}
		}
	}
}

func (m *procMapper) endEvent(n *bnode) {
	rep := m.im.rep
	kind, def := m.eventDef(n.el)
	if n.parent != nil {
		n.mode = nodeTransparent
		n.implicit = []*bnode{n.parent.exit}
		switch kind {
		case "":
			rep.see(n.kind, n.id)
		case "terminate":
			rep.approx(n.kind, n.id, nt("subprocess_terminate_end"))
		default:
			rep.approx(n.kind, n.id, nt("subprocess_end", "kind", kind))
		}
		return
	}
	t := m.newTask(n, "end")
	switch kind {
	case "":
		rep.see(n.kind, n.id)
	case "terminate":
		t.Parameters["terminate"] = param(true)
		rep.see(n.kind, n.id)
	case "error":
		code := m.im.errors[def.attr("", "errorRef")]
		rep.approx(n.kind, n.id, nt("error_end", "code", code))
	default:
		rep.approx(n.kind, n.id, nt("end_not_thrown", "kind", kind))
	}
	if eventDefCount(n.el) > 1 {
		rep.approx(n.kind, n.id, nt("first_definition"))
	}
}

func (m *procMapper) catchEvent(n *bnode) {
	rep := m.im.rep
	kind, def := m.eventDef(n.el)
	switch kind {
	case "timer":
		tk, text := timerOf(def)
		if tk == "timeCycle" || tk == "" {
			m.passThrough(n)
			rep.drop(n.kind, n.id, nt("timer_catch_cycle"))
			return
		}
		ps, err := timerParams(m.im.js, tk, text)
		if err != nil {
			m.passThrough(n)
			rep.drop(n.kind, n.id, nt("timer_unmapped", "timer", tk, "text", text, "reason", errText(err)))
			return
		}
		t := m.newTask(n, "delay")
		for k, v := range ps {
			t.Parameters[k] = param(v)
		}
		rep.see(n.kind, n.id)
	case "link":
		n.mode = nodeTransparent
		rep.see(n.kind, n.id)
	case "":
		m.newTask(n, "milestone")
		rep.approx(n.kind, n.id, nt("catch_milestone"))
	default:
		m.passThrough(n)
		rep.drop(n.kind, n.id, nt("catch_unsupported", "kind", kind))
	}
}

func (m *procMapper) throwEvent(n *bnode) {
	rep := m.im.rep
	kind, _ := m.eventDef(n.el)
	switch kind {
	case "":
		m.newTask(n, "milestone")
		rep.see(n.kind, n.id)
	case "link":
		n.mode = nodeTransparent
		rep.see(n.kind, n.id)
	default:
		m.passThrough(n)
		rep.drop(n.kind, n.id, nt("throw_unsupported", "kind", kind))
	}
}

// subProcess flattens an embedded subprocess: flows into it continue at its first
// nodes, its ends continue after it.
func (m *procMapper) subProcess(n *bnode) {
	rep := m.im.rep
	if n.el.attr("", "triggeredByEvent") == "true" {
		n.mode = nodeGone
		rep.drop(n.kind, n.id, nt("event_subprocess"))
		return
	}
	n.mode = nodeTransparent
	exit := &bnode{id: n.id + "#out", kind: "subProcess", synth: true, mode: nodeTransparent, shape: n.id, parent: n.parent}
	exit.out, n.out = n.out, nil
	for _, f := range exit.out {
		f.src = exit
	}
	n.exit = exit
	for _, k := range n.kidsOf {
		if len(k.in) == 0 && k.kind != "boundaryEvent" && !(k.kind == "subProcess" && k.el.attr("", "triggeredByEvent") == "true") {
			n.implicit = append(n.implicit, k)
		}
	}
	if len(n.implicit) == 0 {
		n.implicit = []*bnode{exit}
	}
	rep.approx(n.kind, n.id, nt("subprocess_flattened"))
}

// pickTrigger keeps one start event as the trigger: the first none start, else the
// first one.
func (m *procMapper) pickTrigger() {
	rep := m.im.rep
	var chosen *bnode
	for _, s := range m.starts {
		if k, _ := m.eventDef(s.el); k == "" {
			chosen = s
			break
		}
	}
	if chosen == nil && len(m.starts) > 0 {
		chosen = m.starts[0]
	}
	for _, s := range m.starts {
		if s != chosen {
			s.mode = nodeGone
			rep.drop(s.kind, s.id, nt("one_trigger", "start", chosen.id))
		}
	}
	if chosen == nil {
		return
	}
	m.trigger = chosen
	kind, def := m.eventDef(chosen.el)
	id := chosen.id
	var t *engine.Task
	switch kind {
	case "":
		t = m.newTask(chosen, "manual")
		rep.see(chosen.kind, id)
	case "timer":
		tk, text := timerOf(def)
		switch tk {
		case "timeCycle":
			cron, err := cronFromTimeCycle(text)
			if err != nil {
				t = m.newTask(chosen, "manual")
				rep.approx(chosen.kind, id, nt("timer_cycle_manual", "text", text, "reason", errText(err)))
				break
			}
			t = m.newTask(chosen, "cron-timer")
			t.Parameters["cron"] = param(cron)
			rep.see(chosen.kind, id)
		case "timeDate":
			at, err := time.Parse(time.RFC3339, strings.TrimSpace(text))
			if err != nil {
				t = m.newTask(chosen, "manual")
				rep.approx(chosen.kind, id, nt("timer_date_manual", "text", text))
				break
			}
			at = at.UTC()
			t = m.newTask(chosen, "cron-timer")
			t.Parameters["cron"] = param(fmt.Sprintf("%d %d %d %d *", at.Minute(), at.Hour(), at.Day(), int(at.Month())))
			t.Parameters["timezone"] = param("UTC")
			rep.approx(chosen.kind, id, nt("timer_date_yearly", "at", at.Format("01-02 15:04 UTC")))
		default:
			t = m.newTask(chosen, "manual")
			rep.approx(chosen.kind, id, nt("timer_start_empty"))
		}
	case "message":
		t = m.newTask(chosen, "webhook")
		rep.see(chosen.kind, id)
	default:
		t = m.newTask(chosen, "manual")
		rep.approx(chosen.kind, id, nt("start_manual", "kind", kind))
	}
	m.triggerTask = t
	if fd := m.formFields(chosen); len(fd) > 0 {
		m.p.InputDataSchema = inputSchema(fd)
	}
	m.vendorAttrs(chosen.kind, id, chosen.el)
	m.im.extensions(id, chosen.el.ext())
	// The trigger is the first task.
	for i, x := range m.p.Tasks {
		if x == t {
			copy(m.p.Tasks[1:i+1], m.p.Tasks[:i])
			m.p.Tasks[0] = t
			break
		}
	}
}

// inputSchema is the JSON Schema of a start form.
func inputSchema(fields []map[string]any) []byte {
	props := map[string]any{}
	var required []string
	for _, f := range fields {
		key := f["key"].(string)
		p := map[string]any{}
		switch f["type"] {
		case "number":
			p["type"] = "number"
		case "boolean":
			p["type"] = "boolean"
		default:
			p["type"] = "string"
		}
		if l, ok := f["label"].(string); ok && l != "" {
			p["title"] = l
		}
		if opts, ok := f["options"].([]any); ok {
			var enum []any
			for _, o := range opts {
				enum = append(enum, o.(map[string]any)["value"])
			}
			p["enum"] = enum
		}
		props[key] = p
		if r, _ := f["required"].(bool); r {
			required = append(required, key)
		}
	}
	s := map[string]any{"type": "object", "properties": props}
	if required != nil {
		s["required"] = required
	}
	return jsonObject(s)
}

// attachBoundaries maps boundary events onto the activities they are attached to:
// timers to the task's timeout (continuing at the boundary's flow), errors to
// errorHandler.routes.
func (m *procMapper) attachBoundaries() {
	rep := m.im.rep
	for _, b := range m.bounds {
		host := m.nodes[b.el.attr("", "attachedToRef")]
		kind, def := m.eventDef(b.el)
		if host == nil || (host.mode != nodeReal && host.kind != "subProcess") {
			b.mode = nodeGone
			rep.drop(b.kind, b.id, nt("boundary_unattached"))
			continue
		}
		switch kind {
		case "timer":
			tk, text := timerOf(def)
			if host.mode != nodeReal {
				b.mode = nodeGone
				rep.drop(b.kind, b.id, nt("boundary_timer_subprocess"))
				continue
			}
			if tk != "timeDuration" {
				b.mode = nodeGone
				rep.drop(b.kind, b.id, nt("boundary_timer_kind", "timer", tk))
				continue
			}
			ms, err := durationMillis(text)
			if err != nil || ms <= 0 {
				b.mode = nodeGone
				why := "not positive"
				if err != nil {
					why = errText(err)
				}
				rep.drop(b.kind, b.id, nt("boundary_timer_duration", "text", text, "reason", why))
				continue
			}
			t := host.task
			if t.ErrorHandler.Strategy == engine.StrategyGoto {
				b.mode = nodeGone
				rep.drop(b.kind, b.id, nt("boundary_timer_second"))
				continue
			}
			target := m.resolve(b, map[*bnode]bool{})
			t.Timeout = ms
			t.ErrorHandler.Strategy, t.ErrorHandler.Target = engine.StrategyGoto, target
			if b.el.attr("", "cancelActivity") == "false" {
				rep.approx(b.kind, b.id, nt("boundary_timer_nonint"))
			} else {
				rep.see(b.kind, b.id)
			}
		case "error":
			code := ""
			if def != nil {
				ref := def.attr("", "errorRef")
				if c, ok := m.im.errors[ref]; ok {
					code = c
				} else if ref != "" {
					code = ref
				}
			}
			target := m.resolve(b, map[*bnode]bool{})
			var hosts []*engine.Task
			if host.mode == nodeReal {
				hosts = []*engine.Task{host.task}
			} else {
				hosts = m.tasksIn(host)
			}
			for _, t := range hosts {
				if !containsRoute(t.ErrorHandler.Routes, code) {
					t.ErrorHandler.Routes = append(t.ErrorHandler.Routes, engine.ErrorRoute{ErrorCode: code, Target: target})
				}
			}
			if host.mode != nodeReal {
				rep.approx(b.kind, b.id, nt("boundary_error_subprocess"))
			} else {
				rep.see(b.kind, b.id)
			}
		default:
			b.mode = nodeGone
			rep.drop(b.kind, b.id, nt("boundary_unsupported", "kind", kindName(kind)))
		}
	}
}

func kindName(k string) string {
	if k == "" {
		return "none"
	}
	return k
}

func containsRoute(rs []engine.ErrorRoute, code string) bool {
	for _, r := range rs {
		if r.ErrorCode == code {
			return true
		}
	}
	return false
}

// tasksIn lists the tasks made from the nodes of an embedded subprocess.
func (m *procMapper) tasksIn(s *bnode) []*engine.Task {
	var out []*engine.Task
	for _, k := range s.kidsOf {
		if k.mode == nodeReal {
			out = append(out, k.task)
		}
		if k.kind == "subProcess" {
			out = append(out, m.tasksIn(k)...)
		}
	}
	return out
}

// loop maps loop characteristics onto the task's loopHandler (user tasks: onto the
// approval's assignees and mode, see userTask).
func (m *procMapper) loop(n *bnode) {
	rep := m.im.rep
	e := n.el
	if sl := e.kid(NSModel, "standardLoopCharacteristics"); sl != nil {
		if n.mode != nodeReal {
			rep.drop(n.kind, n.id, nt("loop_subprocess"))
			return
		}
		lc := sl.kid(NSModel, "loopCondition")
		if lc == nil || lc.Text() == "" {
			rep.drop(n.kind, n.id, nt("loop_no_condition"))
			return
		}
		js, err := translateExpression(m.im.js, lc.attr("", "language"), lc.Text())
		if err != nil {
			rep.drop(n.kind, n.id, nt("loop_condition", "text", lc.Text(), "reason", errText(err)))
			return
		}
		maxN := 100
		if v, err := strconv.Atoi(strings.TrimSpace(sl.attr("", "loopMaximum"))); err == nil && v > 0 {
			maxN = v
		}
		n.task.LoopHandler = engine.LoopHandler{Mode: engine.LoopWhile, Condition: js, Max: maxN}
		if sl.attr("", "testBefore") != "true" {
			rep.approx(n.kind, n.id, nt("loop_test_before"))
		}
		return
	}
	mi := e.kid(NSModel, "multiInstanceLoopCharacteristics")
	if mi == nil || n.kind == "userTask" {
		return
	}
	if n.mode != nodeReal {
		rep.drop(n.kind, n.id, nt("mi_subprocess"))
		return
	}
	items, how, fail := m.miItems(mi)
	if fail != nil {
		rep.drop(n.kind, n.id, *fail)
		return
	}
	n.task.LoopHandler = engine.LoopHandler{Mode: engine.LoopForEach, Items: items, Parallel: mi.attr("", "isSequential") != "true"}
	rep.approxAll(n.kind, n.id, how)
}

// miItems is the forEach items of a multi-instance: its collection, or its
// cardinality as a list of numbers; how says what differs, fail why it cannot be.
func (m *procMapper) miItems(mi *elem) (items string, how []noteMsg, fail *noteMsg) {
	var notes []noteMsg
	coll := mi.vendorAttr("collection")
	if z := mi.ext().kid(nsZeebe, "loopCharacteristics"); z != nil {
		coll = z.attr("", "inputCollection")
		if v := z.attr("", "inputElement"); v != "" && v != "item" {
			notes = append(notes, nt("mi_element_variable", "name", v))
		}
		if z.attr("", "outputCollection") != "" {
			notes = append(notes, nt("mi_output_collection"))
		}
	}
	if coll == "" {
		if r := mi.kid(NSModel, "loopDataInputRef"); r != nil {
			coll = r.Text()
		}
	}
	if v := mi.vendorAttr("elementVariable"); v != "" && v != "item" {
		notes = append(notes, nt("mi_element_variable", "name", v))
	}
	if c := mi.kid(NSModel, "completionCondition"); c != nil && c.Text() != "" {
		notes = append(notes, nt("mi_completion_condition"))
	}
	switch {
	case coll != "":
		js, err := m.valueJS(coll)
		if err != nil {
			f := nt("mi_collection", "text", coll, "reason", errText(err))
			return "", nil, &f
		}
		items = "{{ " + js + " }}"
	case mi.kid(NSModel, "loopCardinality") != nil:
		lc := mi.kid(NSModel, "loopCardinality")
		text := lc.Text()
		var js string
		if n, err := strconv.Atoi(text); err == nil {
			js = strconv.Itoa(n)
		} else if js, err = translateExpression(m.im.js, lc.attr("", "language"), text); err != nil {
			f := nt("mi_cardinality_untranslated", "text", text, "reason", errText(err))
			return "", nil, &f
		}
		items = "{{ Array.from({length: " + js + "}, (_, i) => i) }}"
	default:
		f := nt("mi_empty")
		return "", nil, &f
	}
	return items, notes, nil
}

// valueJS is the JavaScript of a value attribute: a variable name reads the process
// variable; an expression (${...}, #{...}, =...) is translated.
func (m *procMapper) valueJS(s string) (string, error) {
	s = strings.TrimSpace(s)
	if identForm.MatchString(s) {
		return "vars." + s, nil
	}
	if m.initiate != "" && (s == "${"+m.initiate+"}" || s == "#{"+m.initiate+"}") {
		return "instance.startedBy", nil
	}
	return translateExpression(m.im.js, "", s)
}

// isExpr reports whether a vendor attribute value is an expression.
func isExpr(s string) bool {
	s = strings.TrimSpace(s)
	return strings.Contains(s, "${") || strings.Contains(s, "#{") || strings.HasPrefix(s, "=")
}

// interpolate turns text with ${...} expressions into flowcraft's {{ }} template.
func interpolate(chk Checker, text string) (string, error) {
	if strings.HasPrefix(strings.TrimSpace(text), "=") {
		js, err := translateExpression(chk, "", strings.TrimSpace(text))
		if err != nil {
			return "", err
		}
		return "{{ " + js + " }}", nil
	}
	var sb strings.Builder
	for {
		i := strings.Index(text, "${")
		if j := strings.Index(text, "#{"); j >= 0 && (i < 0 || j < i) {
			i = j
		}
		if i < 0 {
			sb.WriteString(text)
			return sb.String(), nil
		}
		end := strings.Index(text[i:], "}")
		if end < 0 {
			return "", fmt.Errorf("unclosed expression in %q", text)
		}
		js, err := translateExpression(chk, "", text[i:i+end+1])
		if err != nil {
			return "", err
		}
		sb.WriteString(text[:i])
		sb.WriteString("{{ " + js + " }}")
		text = text[i+end+1:]
	}
}

// numberAttr reads a number (an int within [lo, hi]).
func numberAttr(s string, lo, hi float64) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return math.Max(lo, math.Min(hi, f)), true
}

// nodeChildren are the BPMN children of flow nodes the mapping reads.
var nodeChildren = map[string]bool{"incoming": true, "outgoing": true, "documentation": true, "extensionElements": true,
	"eventDefinitionRef": true, "script": true, "multiInstanceLoopCharacteristics": true, "standardLoopCharacteristics": true,
	"potentialOwner": true, "humanPerformer": true, "performer": true, "auditing": true, "monitoring": true, "categoryValueRef": true}

// otherChildren reports the BPMN children of a flow node the mapping does not read
// (data associations, io specifications, renderings, ...).
func (m *procMapper) otherChildren(n *bnode) {
	switch n.kind {
	case "subProcess", "transaction", "adHocSubProcess":
		return // their content is mapped (or reported) as flow elements
	}
	var names []string
	for _, k := range n.el.Kids {
		if k.Space != NSModel || nodeChildren[k.Local] || strings.HasSuffix(k.Local, "EventDefinition") {
			continue
		}
		if !containsString(names, k.Local) {
			names = append(names, k.Local)
		}
	}
	if len(names) > 0 {
		m.im.rep.approx(n.kind, n.id, nt("data_ignored", "names", strings.Join(names, ", ")))
	}
}

// vendor attributes the mapping reads (or reports itself).
var consumedAttrs = map[string]bool{
	"assignee": true, "candidateUsers": true, "candidateGroups": true, "dueDate": true, "priority": true,
	"formKey": true, "type": true, "topic": true, "taskPriority": true, "resultVariable": true,
	"collection": true, "elementVariable": true, "initiator": true, "historyTimeToLive": true,
	"candidateStarterUsers": true, "candidateStarterGroups": true, "class": true, "delegateExpression": true,
	"expression": true, "decisionRef": true, "resource": true,
}

// async flags: flowcraft commits each step itself.
var asyncAttrs = map[string]bool{"asyncBefore": true, "asyncAfter": true, "async": true, "exclusive": true,
	"asyncLeave": true, "asyncLeaveExclusive": true, "failedJobRetryTimeCycle": true, "jobPriority": true, "triggerable": true}

// vendorAttrs reports the vendor attributes of e the mapping does not read.
func (m *procMapper) vendorAttrs(element, id string, e *elem) {
	var async, other []string
	for _, a := range e.Attr {
		prefix, ok := vendorNS[a.Name.Space]
		if !ok || consumedAttrs[a.Name.Local] {
			continue
		}
		if asyncAttrs[a.Name.Local] {
			async = append(async, prefix+":"+a.Name.Local)
		} else {
			other = append(other, prefix+":"+a.Name.Local)
		}
	}
	if len(async) > 0 {
		m.im.rep.approx(element, id, nt("async_ignored", "names", strings.Join(async, ", ")))
	}
	if len(other) > 0 {
		m.im.rep.approx(element, id, nt("attributes_ignored", "names", strings.Join(other, ", ")))
	}
}
