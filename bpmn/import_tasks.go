package bpmn

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// use marks extension elements as consumed (not reported as ignored).
func (m *procMapper) use(es ...*elem) {
	for _, e := range es {
		if e != nil {
			m.im.consumed[e] = true
		}
	}
}

// serviceTask maps service, send and business rule tasks: external workers,
// HTTP connectors; Java code is reported.
func (m *procMapper) serviceTask(n *bnode) {
	rep := m.im.rep
	e := n.el
	typ := strings.TrimSpace(e.vendorAttr("type"))
	topic := strings.TrimSpace(e.vendorAttr("topic"))
	zeebe := e.ext().kid(nsZeebe, "taskDefinition")
	switch {
	case typ == "external" || typ == "external-worker" || zeebe != nil:
		if zeebe != nil {
			m.use(zeebe)
			topic = strings.TrimSpace(zeebe.attr("", "type"))
		}
		t := m.newTask(n, "external-task")
		if isExpr(topic) {
			js, err := m.valueJS(topic)
			if err != nil {
				rep.approx(n.kind, n.id, nt("topic_untranslated", "text", topic, "reason", errText(err)))
			} else {
				topic = "{{ " + js + " }}"
			}
		}
		if topic == "" {
			topic = n.id
			rep.approx(n.kind, n.id, nt("topic_missing"))
		}
		t.Parameters["topic"] = param(topic)
		if zeebe != nil {
			if v, ok := numberAttr(zeebe.attr("", "retries"), 0, 100); ok {
				t.Parameters["retries"] = param(v)
			}
		}
		if p := e.vendorAttr("taskPriority"); p != "" {
			if v, ok := numberAttr(p, -1e15, 1e15); ok {
				t.Parameters["priority"] = param(v)
			} else {
				rep.approx(n.kind, n.id, nt("priority_not_number", "value", p))
			}
		}
		fields, notes := m.inputMappings(e)
		if len(fields) > 0 {
			t.Parameters["variables"] = param("{{ ({...trigger, ...vars, " + strings.Join(fields, ", ") + "}) }}")
		}
		if len(notes) > 0 {
			rep.approxAll(n.kind, n.id, notes)
		}
		if th := e.ext().kid(nsZeebe, "taskHeaders"); th != nil {
			m.use(th)
			rep.approx(n.kind, n.id, nt("task_headers"))
		}
		rep.see(n.kind, n.id)
	case e.vendorExt("connector") != nil:
		m.httpConnector(n, e.vendorExt("connector"))
	case typ == "http":
		m.flowableHTTP(n)
	case e.vendorAttr("class") != "", e.vendorAttr("delegateExpression") != "", e.vendorAttr("expression") != "":
		m.passThrough(n)
		what := e.vendorAttr("class")
		if what == "" {
			what = e.vendorAttr("delegateExpression")
		}
		if what == "" {
			what = e.vendorAttr("expression")
		}
		rep.drop(n.kind, n.id, nt("java_class", "what", what))
	case e.vendorAttr("decisionRef") != "":
		m.passThrough(n)
		rep.drop(n.kind, n.id, nt("dmn", "ref", e.vendorAttr("decisionRef")))
	case typ != "":
		m.passThrough(n)
		rep.drop(n.kind, n.id, nt("task_type", "type", typ))
	default:
		m.passThrough(n)
		switch n.kind {
		case "sendTask":
			rep.approx(n.kind, n.id, nt("send_passthrough"))
		case "businessRuleTask":
			rep.approx(n.kind, n.id, nt("rule_passthrough"))
		default:
			rep.approx(n.kind, n.id, nt("service_passthrough"))
		}
	}
}

// httpConnector maps camunda:connector http-connector to http-request.
func (m *procMapper) httpConnector(n *bnode, c *elem) {
	rep := m.im.rep
	m.use(c)
	id := c.kid(c.Space, "connectorId")
	if id == nil || id.Text() != "http-connector" {
		m.passThrough(n)
		name := ""
		if id != nil {
			name = id.Text()
		}
		rep.drop(n.kind, n.id, nt("connector", "name", name))
		return
	}
	t := m.newTask(n, "http-request")
	var notes []noteMsg
	io := c.kid(c.Space, "inputOutput")
	for _, ip := range io.kids(c.Space, "inputParameter") {
		name := ip.attr("", "name")
		switch name {
		case "url", "method", "payload":
			if ip.kid(c.Space, "script") != nil {
				notes = append(notes, nt("connector_script", "name", name))
				continue
			}
			v, err := interpolate(m.im.js, ip.Text())
			if err != nil {
				notes = append(notes, nt("value_untranslated", "name", name, "text", ip.Text(), "reason", errText(err)))
				continue
			}
			switch name {
			case "url":
				t.Parameters["url"] = param(v)
			case "method":
				t.Parameters["method"] = param(strings.ToUpper(v))
			case "payload":
				t.Parameters["body"] = param(v)
			}
		case "headers":
			mp := ip.kid(c.Space, "map")
			h := map[string]any{}
			for _, en := range mp.kids(c.Space, "entry") {
				v, err := interpolate(m.im.js, en.Text())
				if err != nil {
					notes = append(notes, nt("header_untranslated", "name", en.attr("", "key")))
					continue
				}
				h[en.attr("", "key")] = v
			}
			if len(h) > 0 {
				t.Parameters["headers"] = param(h)
			}
		default:
			notes = append(notes, nt("input_parameter", "name", name))
		}
	}
	if len(io.kids(c.Space, "outputParameter")) > 0 {
		notes = append(notes, nt("connector_output"))
	}
	if t.Parameters["url"] == nil {
		t.Parameters["url"] = param("https://example.invalid/")
		notes = append(notes, nt("connector_no_url"))
	}
	if len(notes) > 0 {
		rep.approxAll(n.kind, n.id, notes)
	} else {
		rep.see(n.kind, n.id)
	}
}

// flowableHTTP maps Flowable's HTTP task (flowable:type="http") to http-request.
func (m *procMapper) flowableHTTP(n *bnode) {
	rep := m.im.rep
	t := m.newTask(n, "http-request")
	var notes []noteMsg
	x := n.el.ext()
	for _, ns := range []string{nsFlowable, nsActiviti} {
		for _, f := range x.kids(ns, "field") {
			m.use(f)
			text := f.attr("", "stringValue")
			if text == "" {
				text = f.attr("", "expression")
			}
			for _, k := range f.Kids {
				if k.Local == "string" || k.Local == "expression" {
					text = k.Text()
				}
			}
			v, err := interpolate(m.im.js, text)
			if err != nil {
				notes = append(notes, nt("field_untranslated", "name", f.attr("", "name"), "reason", errText(err)))
				continue
			}
			switch f.attr("", "name") {
			case "requestMethod":
				t.Parameters["method"] = param(strings.ToUpper(v))
			case "requestUrl":
				t.Parameters["url"] = param(v)
			case "requestBody":
				t.Parameters["body"] = param(v)
			case "requestHeaders":
				h := map[string]any{}
				for _, line := range strings.Split(v, "\n") {
					if k, val, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) != "" {
						h[strings.TrimSpace(k)] = strings.TrimSpace(val)
					}
				}
				if len(h) > 0 {
					t.Parameters["headers"] = param(h)
				}
			case "requestTimeout":
				if f, ok := numberAttr(v, 1, 3600_000); ok {
					t.Parameters["timeout"] = param(f)
				}
			default:
				notes = append(notes, nt("field_ignored", "name", f.attr("", "name")))
			}
		}
	}
	if t.Parameters["url"] == nil {
		t.Parameters["url"] = param("https://example.invalid/")
		notes = append(notes, nt("no_request_url"))
	}
	if len(notes) > 0 {
		rep.approxAll(n.kind, n.id, notes)
	} else {
		rep.see(n.kind, n.id)
	}
}

// scriptTask maps a script task through scriptParams.
func (m *procMapper) scriptTask(n *bnode) {
	rep := m.im.rep
	e := n.el
	if r := e.vendorAttr("resource"); r != "" {
		m.passThrough(n)
		rep.drop(n.kind, n.id, nt("script_resource", "resource", r))
		return
	}
	body := ""
	if s := e.kid(NSModel, "script"); s != nil {
		body = string(s.text)
	}
	format := e.attr("", "scriptFormat")
	ps, err := scriptParams(m.im.js, format, body, e.vendorAttr("resultVariable"))
	if err != nil {
		m.passThrough(n)
		rep.drop(n.kind, n.id, nt("script_format", "format", format, "reason", errText(err)))
		return
	}
	// Input mappings: local variables the script reads by name.
	if fields, notes := m.inputMappings(e); len(fields) > 0 || len(notes) > 0 {
		var decl strings.Builder
		for _, f := range fields {
			name, js, _ := strings.Cut(f, ": ")
			decl.WriteString("var " + name + " = (" + js + ");\n")
		}
		if ps2, err := scriptParams(m.im.js, format, decl.String()+body, e.vendorAttr("resultVariable")); err == nil {
			ps = ps2
		} else {
			notes = append(notes, nt("input_mappings", "reason", errText(err)))
		}
		if len(notes) > 0 {
			rep.approxAll(n.kind, n.id, notes)
		}
	}
	t := m.newTask(n, "script")
	for k, v := range ps {
		t.Parameters[k] = param(v)
	}
	if slices.Contains(jsFreeNames(body), "flw") {
		rep.approx(n.kind, n.id, nt("script_flw"))
		return
	}
	rep.see(n.kind, n.id)
}

// inputMappings reads camunda:inputOutput (and zeebe:ioMapping) input parameters as
// "name: js" fields; what cannot be mapped (scripts, lists, maps, output
// parameters) is said in notes.
func (m *procMapper) inputMappings(e *elem) (fields []string, notes []noteMsg) {
	add := func(name, text string) {
		text = strings.TrimSpace(text)
		if !identForm.MatchString(name) {
			notes = append(notes, nt("input_name", "name", name))
			return
		}
		switch {
		case isExpr(text):
			js, err := m.valueJS(text)
			if err != nil {
				notes = append(notes, nt("input_untranslated", "name", name, "text", text, "reason", errText(err)))
				return
			}
			fields = append(fields, name+": "+js)
		default:
			fields = append(fields, name+": "+jsQuote(text))
		}
	}
	if io := e.vendorExt("inputOutput"); io != nil {
		m.use(io)
		for _, ip := range io.kids(io.Space, "inputParameter") {
			if len(ip.Kids) > 0 {
				notes = append(notes, nt("input_kind", "name", ip.attr("", "name"), "kind", ip.Kids[0].Local))
				continue
			}
			add(ip.attr("", "name"), ip.Text())
		}
		if len(io.kids(io.Space, "outputParameter")) > 0 {
			notes = append(notes, nt("output_mappings"))
		}
	}
	if io := e.ext().kid(nsZeebe, "ioMapping"); io != nil {
		m.use(io)
		for _, in := range io.kids(nsZeebe, "input") {
			src := strings.TrimSpace(in.attr("", "source"))
			if !strings.HasPrefix(src, "=") {
				add(in.attr("", "target"), src)
				continue
			}
			add(in.attr("", "target"), src)
		}
		if len(io.kids(nsZeebe, "output")) > 0 {
			notes = append(notes, nt("zeebe_outputs"))
		}
	}
	return fields, notes
}

// jsQuote is s as a JavaScript string literal.
func jsQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// callActivity maps a call activity to subprocess.
func (m *procMapper) callActivity(n *bnode) {
	rep := m.im.rep
	e := n.el
	called := calledElement(e)
	m.use(e.ext().kid(nsZeebe, "calledElement"))
	t := m.newTask(n, "subprocess")
	var notes []noteMsg
	switch {
	case called == "":
		t.Parameters["processId"] = param("bpmn:")
		rep.drop(n.kind, n.id, nt("call_no_element"))
		return
	case processIDForm.MatchString(called):
		t.Parameters["processId"] = param(called)
	default:
		if pid, in := m.im.procIDs[called]; in && pid != "" {
			t.Parameters["processId"] = param(pid)
		} else {
			t.Parameters["processId"] = param("bpmn:" + called)
			m.called[t.InstID] = called
			if !in {
				notes = append(notes, nt("called_external", "called", called))
			}
		}
	}
	// Input: camunda:in / flowable:in variables.
	var fields []string
	all := false
	for _, ns := range []string{nsCamunda, nsFlowable, nsActiviti} {
		for _, in := range e.ext().kids(ns, "in") {
			m.use(in)
			switch {
			case in.attr("", "variables") == "all":
				all = true
			case in.attr("", "businessKey") != "":
				notes = append(notes, nt("business_key"))
			default:
				target := in.attr("", "target")
				src := in.attr("", "source")
				js := ""
				var err error
				if src != "" {
					js = "vars." + src
					if !identForm.MatchString(src) {
						err = fmt.Errorf("not a variable name")
					}
				} else if se := in.attr("", "sourceExpression"); se != "" {
					js, err = translateExpression(m.im.js, "", se)
				}
				if err != nil || !identForm.MatchString(target) {
					notes = append(notes, nt("call_input", "name", target))
					continue
				}
				fields = append(fields, target+": "+js)
			}
		}
		for _, out := range e.ext().kids(ns, "out") {
			m.use(out)
			notes = append(notes, nt("call_out_mappings"))
			break
		}
	}
	switch {
	case all && len(fields) > 0:
		t.Parameters["input"] = param("{{ ({...vars, " + strings.Join(fields, ", ") + "}) }}")
	case all:
		t.Parameters["input"] = param("{{ vars }}")
	case len(fields) > 0:
		t.Parameters["input"] = param("{{ ({" + strings.Join(fields, ", ") + "}) }}")
	}
	if len(notes) > 0 {
		rep.approxAll(n.kind, n.id, dedupe(notes))
	} else {
		rep.see(n.kind, n.id)
	}
}

func dedupe(s []noteMsg) []noteMsg {
	var out []noteMsg
	for _, x := range s {
		if !slices.ContainsFunc(out, func(y noteMsg) bool { return y.text() == x.text() }) {
			out = append(out, x)
		}
	}
	return out
}

func containsString(s []string, x string) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}

// userTask maps a user task to approval.
func (m *procMapper) userTask(n *bnode) {
	rep := m.im.rep
	e := n.el
	t := m.newTask(n, "approval")
	var notes []noteMsg
	drop := func(why noteMsg) { rep.drop(n.kind, n.id, why) }
	zAssign := e.ext().kid(nsZeebe, "assignmentDefinition")
	m.use(zAssign)
	attr := func(local string) string {
		if v := e.vendorAttr(local); v != "" {
			return v
		}
		if zAssign != nil {
			return zAssign.attr("", local)
		}
		return ""
	}
	// users is the value of a list of users or groups: a list of names, or one
	// expression as {{ }}.
	users := func(what, s string) any {
		s = strings.TrimSpace(s)
		if s == "" {
			return nil
		}
		if isExpr(s) && !strings.Contains(s, ",") {
			js, err := m.valueJS(s)
			if err != nil {
				drop(nt("value_untranslated", "name", what, "text", s, "reason", errText(err)))
				return nil
			}
			return "{{ " + js + " }}"
		}
		var out []any
		for _, u := range splitList(s) {
			if isExpr(u) {
				notes = append(notes, nt("list_expression", "what", what, "value", u))
				continue
			}
			out = append(out, u)
		}
		if len(out) == 0 {
			return nil
		}
		return out
	}
	// A multi-instance's element variable as the assignee: the collection's elements
	// are the assignees (below).
	mi := e.kid(NSModel, "multiInstanceLoopCharacteristics")
	elemVar := ""
	if mi != nil {
		elemVar = mi.vendorAttr("elementVariable")
		if z := mi.ext().kid(nsZeebe, "loopCharacteristics"); z != nil {
			m.use(z)
			elemVar = z.attr("", "inputElement")
		}
	}
	isElemVar := func(a string) bool {
		a = strings.TrimSpace(a)
		return elemVar != "" && (a == "${"+elemVar+"}" || a == "#{"+elemVar+"}" || a == "="+elemVar || a == "= "+elemVar)
	}
	var assignee any
	if !isElemVar(attr("assignee")) {
		assignee = users("assignee", attr("assignee"))
	}
	candUsers := users("candidate users", attr("candidateUsers"))
	candGroups := users("candidate groups", attr("candidateGroups"))
	// Standard BPMN: humanPerformer (the assignee) and potentialOwner (candidates).
	for _, ra := range []string{"humanPerformer", "performer", "potentialOwner"} {
		for _, po := range e.kids(NSModel, ra) {
			fe := po.kid(NSModel, "resourceAssignmentExpression").kid(NSModel, "formalExpression")
			if fe == nil {
				if ref := po.kid(NSModel, "resourceRef"); ref != nil {
					notes = append(notes, nt("resource_unresolved", "attr", ra, "ref", ref.Text()))
				}
				continue
			}
			for _, item := range splitList(fe.Text()) {
				kind, name := "", item
				if strings.HasPrefix(item, "user(") && strings.HasSuffix(item, ")") {
					kind, name = "user", item[5:len(item)-1]
				} else if strings.HasPrefix(item, "group(") && strings.HasSuffix(item, ")") {
					kind, name = "group", item[6:len(item)-1]
				}
				if isExpr(name) {
					notes = append(notes, nt("assignee_expression", "attr", ra, "value", name))
					continue
				}
				switch {
				case ra != "potentialOwner" && kind != "group":
					if assignee == nil {
						assignee = []any{name}
					}
				case kind == "user":
					l, _ := candUsers.([]any)
					candUsers = append(l, name)
				default:
					l, _ := candGroups.([]any)
					candGroups = append(l, name)
				}
			}
		}
	}
	// Multi-instance: one decision per element of the collection.
	if mi != nil {
		mode := "all"
		if mi.attr("", "isSequential") == "true" {
			mode = "sequential"
		}
		items, how, fail := m.miItems(mi)
		switch {
		case fail != nil:
			drop(*fail)
		case strings.HasPrefix(items, "{{ Array.from"):
			notes = append(notes, nt("mi_cardinality", "mode", mode))
			t.Parameters["mode"] = param(mode)
		default:
			if !isElemVar(attr("assignee")) {
				notes = append(notes, nt("mi_assignees"))
			}
			assignee = items
			t.Parameters["mode"] = param(mode)
			for _, h := range how {
				if h.code != "mi_element_variable" {
					notes = append(notes, h)
				}
			}
		}
	}
	if assignee == nil && candUsers == nil && candGroups == nil {
		assignee = "{{ instance.startedBy }}"
		notes = append(notes, nt("no_assignee"))
	}
	for k, v := range map[string]any{"assignees": assignee, "candidateUsers": candUsers, "candidateGroups": candGroups} {
		if v != nil {
			t.Parameters[k] = param(v)
		}
	}
	if t.Description != "" {
		t.Parameters["content"] = param(t.Description)
	}
	if fields := m.formFields(n); len(fields) > 0 {
		form := make([]any, len(fields))
		for i, f := range fields {
			form[i] = f
		}
		t.Parameters["form"] = param(form)
	}
	if fk := e.vendorAttr("formKey"); fk != "" {
		notes = append(notes, nt("form_key", "form", fk))
	}
	if zf := e.ext().kid(nsZeebe, "formDefinition"); zf != nil {
		m.use(zf)
		notes = append(notes, nt("zeebe_form"))
	}
	if due := strings.TrimSpace(e.vendorAttr("dueDate")); due != "" {
		if strings.HasPrefix(strings.ToUpper(due), "P") {
			if ms, err := durationMillis(due); err == nil && ms > 0 {
				t.Parameters["dueIn"] = param(float64(ms))
			} else {
				notes = append(notes, nt("due_date", "value", due))
			}
		} else {
			notes = append(notes, nt("due_date_not_duration", "value", due))
		}
	}
	if p := strings.TrimSpace(e.vendorAttr("priority")); p != "" {
		if v, ok := numberAttr(p, 0, 100); ok {
			t.Parameters["priority"] = param(v)
		} else {
			notes = append(notes, nt("priority_not_number", "value", p))
		}
	}
	for _, ns := range []string{nsCamunda, nsFlowable, nsActiviti} {
		for _, l := range e.ext().kids(ns, "taskListener") {
			m.use(l)
			drop(nt("task_listeners"))
		}
	}
	if len(notes) > 0 {
		rep.approxAll(n.kind, n.id, dedupe(notes))
	} else {
		rep.see(n.kind, n.id)
	}
}

// formFields reads camunda:formData/formField or flowable:/activiti:formProperty of a
// user task or start event as approval form fields.
func (m *procMapper) formFields(n *bnode) []map[string]any {
	rep := m.im.rep
	e := n.el
	var out []map[string]any
	var notes []noteMsg
	seen := map[string]bool{}
	add := func(key, label, typ string, required bool, options []any) {
		if key == "" {
			return
		}
		if key == "outcome" || key == "comment" {
			notes = append(notes, nt("form_field_renamed", "key", key, "renamed", key+"Field"))
			key += "Field"
		}
		if seen[key] {
			return
		}
		seen[key] = true
		f := map[string]any{"key": key, "type": typ, "required": required}
		if label != "" {
			f["label"] = label
		}
		if options != nil {
			f["options"] = options
		}
		out = append(out, f)
	}
	fieldType := func(t string) (string, bool) {
		switch strings.ToLower(t) {
		case "string", "":
			return "text", true
		case "long", "integer", "int", "double", "number":
			return "number", true
		case "boolean":
			return "boolean", true
		case "date":
			return "date", true
		case "enum":
			return "select", true
		}
		return "text", false
	}
	if fd := e.vendorExt("formData"); fd != nil {
		m.use(fd)
		for _, f := range fd.kids(fd.Space, "formField") {
			typ, ok := fieldType(f.attr("", "type"))
			if !ok {
				notes = append(notes, nt("form_field_type", "id", f.attr("", "id"), "type", f.attr("", "type")))
			}
			required := false
			for _, c := range f.kid(fd.Space, "validation").kids(fd.Space, "constraint") {
				if c.attr("", "name") == "required" && c.attr("", "config") != "false" {
					required = true
				} else {
					notes = append(notes, nt("form_constraint", "id", f.attr("", "id"), "name", c.attr("", "name")))
				}
			}
			var options []any
			for _, v := range f.kids(fd.Space, "value") {
				options = append(options, map[string]any{"value": v.attr("", "id"), "label": v.attr("", "name")})
			}
			if typ == "select" && len(options) == 0 {
				typ = "text"
				notes = append(notes, nt("form_enum_empty", "id", f.attr("", "id")))
			}
			if f.attr("", "defaultValue") != "" {
				notes = append(notes, nt("form_default", "id", f.attr("", "id")))
			}
			add(f.attr("", "id"), f.attr("", "label"), typ, required, options)
		}
	}
	for _, ns := range []string{nsFlowable, nsActiviti} {
		for _, f := range e.ext().kids(ns, "formProperty") {
			m.use(f)
			typ, ok := fieldType(f.attr("", "type"))
			if !ok {
				notes = append(notes, nt("form_property_type", "id", f.attr("", "id"), "type", f.attr("", "type")))
			}
			var options []any
			for _, v := range f.kids(ns, "value") {
				options = append(options, map[string]any{"value": v.attr("", "id"), "label": v.attr("", "name")})
			}
			if typ == "select" && len(options) == 0 {
				typ = "text"
			}
			if f.attr("", "writable") == "false" {
				notes = append(notes, nt("form_property_readonly", "id", f.attr("", "id")))
			}
			add(f.attr("", "id"), f.attr("", "name"), typ, f.attr("", "required") == "true", options)
		}
	}
	if len(notes) > 0 {
		rep.approxAll(n.kind, n.id, dedupe(notes))
	}
	return out
}
