package bpmn

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"flowcraft/engine"
)

// normalised is the part of a definition a round trip keeps, as JSON: the process's
// own fields (not those the server sets) and every task (by id) with its name,
// template, parameters, connections (in order, conditions, labels, defaults),
// positions, errorHandler, loopHandler, timeout, isIgnore and description.
func normalised(t *testing.T, p *engine.Process) string {
	t.Helper()
	type task struct {
		InstID       string                       `json:"instId"`
		Name         string                       `json:"name"`
		Description  string                       `json:"description"`
		Template     string                       `json:"template"`
		Positions    []float64                    `json:"positions"`
		Connections  []engine.Connection          `json:"connections"`
		Parameters   map[string]*engine.Parameter `json:"parameters"`
		ErrorHandler engine.ErrorHandler          `json:"errorHandler"`
		LoopHandler  engine.LoopHandler           `json:"loopHandler"`
		Timeout      int64                        `json:"timeout"`
		IsIgnore     bool                         `json:"isIgnore"`
	}
	raw := func(r json.RawMessage) any {
		if len(r) == 0 || string(r) == "null" {
			return map[string]any{}
		}
		var v any
		if err := json.Unmarshal(r, &v); err != nil {
			t.Fatalf("raw JSON %s: %v", r, err)
		}
		return v
	}
	out := map[string]any{
		"id": p.ID, "name": p.Name, "description": p.Description, "engine": p.Engine, "enabled": p.Enabled,
		"executor": p.Executor, "timeout": p.Timeout, "category": p.Category, "historyTimeToLive": p.HistoryTTLDays,
		"payloadAsVariables": p.PayloadAsVariables,
		"inputDataSchema":    raw(p.InputDataSchema), "outputDataSchema": raw(p.OutputDataSchema),
		"extension": raw(p.Extension), "metadata": raw(p.Metadata),
	}
	var tasks []task
	for _, x := range p.Tasks {
		if x == nil {
			continue
		}
		tk := task{x.InstID, x.Name, x.Description, x.Template, x.Positions, x.Connections, x.Parameters,
			x.ErrorHandler, x.LoopHandler, x.Timeout, x.IsIgnore}
		if len(tk.Connections) == 0 {
			tk.Connections = nil
		}
		if len(tk.Parameters) == 0 {
			tk.Parameters = nil
		}
		tasks = append(tasks, tk)
	}
	slices.SortFunc(tasks, func(a, b task) int { return strings.Compare(a.InstID, b.InstID) })
	out["tasks"] = tasks
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	// Numbers as JSON reads them back (an int in a Go-built parameter is a float64).
	var v any
	json.Unmarshal(b, &v)
	b, _ = json.MarshalIndent(v, "", "  ")
	return string(b)
}

var fakeTaskIDForm = regexp.MustCompile(`^task-[a-z0-9]{8}$`)

// fakeImport maps an exported document the way Import maps standard BPMN — element
// ids of the form task-xxxxxxxx kept, other ids made up, templates from the element
// kinds, positions from DI for the mapped template, connections from the sequence
// flows, error routes from boundary events — and collects the flowcraft extension
// texts, so that the overlay can be tested before and apart from Import.
func fakeImport(t *testing.T, doc []byte) (*Imported, string, map[string]string) {
	t.Helper()
	d := parseDoc(t, doc)
	p := &engine.Process{Name: d.process.get("@name"), Description: d.process.get("documentation"), Engine: "standard", Enabled: true,
		Metadata: json.RawMessage(`{"bpmn": {"processId": "` + d.process.get("@id") + `"}}`)} // as Import notes where a definition came from
	if id := d.process.get("@id"); regexp.MustCompile(`^proc-[a-z0-9]{8}$`).MatchString(id) {
		p.ID = id
	}
	imp := &Imported{BPMNID: d.process.get("@id"), Process: p, TaskIDs: map[string]string{}}
	taskExt := map[string]string{}
	byElem := map[string]*engine.Task{}
	for i, id := range d.order {
		n := d.nodes[id]
		tid := id
		if !fakeTaskIDForm.MatchString(id) {
			tid = fmt.Sprintf("task-gen%05d", i)
		}
		tpl := map[string]string{
			"startEvent": "manual", "scriptTask": "script", "serviceTask": "http-request", "userTask": "approval",
			"exclusiveGateway": "exclusive-gateway", "parallelGateway": "parallel-gateway", "inclusiveGateway": "inclusive-gateway",
			"intermediateCatchEvent": "delay", "intermediateThrowEvent": "milestone", "callActivity": "subprocess",
			"endEvent": "end", "task": "script",
		}[n.XMLName.Local]
		b := d.bounds[id]
		task := &engine.Task{InstID: tid, Name: n.get("@name"), Description: n.get("documentation"), Template: tpl,
			Positions: positionFromBounds(tpl, b[0], b[1], b[2], b[3])}
		if ext := n.get("extensionElements/task"); ext != "" {
			taskExt[id] = ext
		}
		p.Tasks = append(p.Tasks, task)
		byElem[id] = task
		imp.TaskIDs[id] = tid
	}
	for _, id := range d.order {
		n := d.nodes[id]
		for _, c := range n.Children {
			if c.XMLName.Local != "outgoing" {
				continue
			}
			f := d.flows[c.Text]
			to := byElem[f.get("@targetRef")]
			byElem[id].Connections = append(byElem[id].Connections, engine.Connection{To: to.InstID,
				Condition: f.get("conditionExpression"), Label: f.get("@name"), Default: n.get("@default") == c.Text})
		}
	}
	for _, fl := range d.flows {
		src := fl.get("@sourceRef")
		if byElem[src] != nil {
			continue
		}
		// From a boundary error event: a route of its host.
		for _, b := range d.boundaries {
			if b.get("@id") == src {
				host := byElem[b.get("@attachedToRef")]
				host.ErrorHandler.Routes = append(host.ErrorHandler.Routes, engine.ErrorRoute{ErrorCode: b.get("errorEventDefinition/@errorRef"),
					Target: byElem[fl.get("@targetRef")].InstID})
			}
		}
	}
	return imp, d.process.get("extensionElements/process"), taskExt
}

// TestOverlayRoundTrip: Export, then a standard mapping of the document (fakeImport),
// then overlayFlowcraft gives every example and test definition back exactly — task
// ids that are no XML names, positions of templates drawn in other sizes than the
// element they export as, parameters, handlers, process fields included — and the
// report has nothing approximated or dropped.
func TestOverlayRoundTrip(t *testing.T) {
	cases := append(exportDefinitions(t), templateDefinitions()...)
	for _, c := range cases {
		doc := mustExport(t, c.p)
		imp, pext, text := fakeImport(t, doc)
		rep := Report{Approximated: []Note{}, Dropped: []Note{}}
		for id := range text {
			rep.Approximated = append(rep.Approximated, Note{Element: "x", ID: id, How: "generic mapping"})
		}
		rep.Approximated = append(rep.Approximated, Note{Element: "sequenceFlow", ID: "other", How: "kept"})
		if err := overlayFlowcraft(imp, pext, text, &rep); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		want, got := normalised(t, c.p), normalised(t, imp.Process)
		if c.p.ID == "" || !regexp.MustCompile(`^proc-[a-z0-9]{8}$`).MatchString(c.p.ID) {
			want = strings.Replace(want, fmt.Sprintf(`"id": %q`, c.p.ID), `"id": ""`, 1)
		}
		if got != want {
			t.Errorf("%s: round trip differs:\n%s", c.name, lineDiff(want, got))
		}
		if len(rep.Dropped) > 0 || len(rep.Approximated) != 1 || rep.Mapped != len(text) {
			t.Errorf("%s: report %+v; want the flow nodes' approximations gone and counted as mapped", c.name, rep)
		}
		for e, tid := range imp.TaskIDs {
			if imp.Process.Task(tid) == nil {
				t.Errorf("%s: TaskIDs[%s] = %s, no such task", c.name, e, tid)
			}
		}
	}
}

// lineDiff shows the lines of two texts that differ.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var a, c string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			c = g[i]
		}
		if a != c {
			fmt.Fprintf(&b, "line %d:\n  want %s\n  got  %s\n", i+1, a, c)
		}
	}
	return b.String()
}

// TestOverlayHostile: extension texts from hostile or foreign files are bounded and
// parsed strictly; what cannot be read is reported as dropped and ignored, the rest
// applies, nothing panics.
func TestOverlayHostile(t *testing.T) {
	base := func() *Imported {
		return &Imported{BPMNID: "Process_1", TaskIDs: map[string]string{"el-a": "task-aaaaaaaa", "el-b": "task-bbbbbbbb"}, Process: &engine.Process{
			Name: "mapped", Engine: "standard", Enabled: true,
			Tasks: []*engine.Task{
				{InstID: "task-aaaaaaaa", Name: "a", Template: "manual", Positions: []float64{0, 0},
					Connections: []engine.Connection{{To: "task-bbbbbbbb", Condition: "vars.x", Label: "vars.x"}}},
				{InstID: "task-bbbbbbbb", Name: "b", Template: "end", Positions: []float64{100, 0}},
			}}}
	}
	big := `{"description": "` + strings.Repeat("x", maxExtBytes) + `"}`
	cases := []struct {
		name        string
		process     string
		task        string // of el-a
		dropped     int
		check       func(t *testing.T, imp *Imported)
		wantMapped  int
		wantApprox  int
		wantTaskID0 string
	}{
		{name: "not JSON", task: `<x/>`, dropped: 1, wantApprox: 1},
		{name: "JSON but no object", task: `[1, 2]`, dropped: 1, wantApprox: 1},
		{name: "null", task: `null`, dropped: 1, wantApprox: 1},
		{name: "two objects", task: `{} {}`, dropped: 1, wantApprox: 1},
		{name: "too large", task: big, dropped: 1, wantApprox: 1, check: func(t *testing.T, imp *Imported) {
			if imp.Process.Tasks[0].Description != "" {
				t.Error("a too large extension applied")
			}
		}},
		{name: "unknown field, the rest applies", task: `{"template": "webhook", "future": 1, "isIgnore": true}`, dropped: 1, wantMapped: 1,
			check: func(t *testing.T, imp *Imported) {
				if tk := imp.Process.Tasks[0]; tk.Template != "webhook" || !tk.IsIgnore {
					t.Errorf("task %+v", tk)
				}
			}},
		{name: "unknown nested field", task: `{"errorHandler": {"retry": 2, "evil": true}, "loopHandler": {"mode": "while", "x": 1}, "parameters": {"a": {"value": 1, "y": 2}}}`,
			dropped: 3, wantMapped: 1, check: func(t *testing.T, imp *Imported) {
				if tk := imp.Process.Tasks[0]; tk.ErrorHandler.Retry != 0 || tk.LoopHandler.Mode != "" || tk.Parameters != nil {
					t.Errorf("half-read values applied: %+v", tk)
				}
			}},
		{name: "wrong types", task: `{"timeout": "soon", "isIgnore": 1, "template": 5, "description": null, "instId": 7}`, dropped: 4, wantMapped: 1},
		{name: "null parameter", task: `{"parameters": {"a": null, "b": {"value": "x"}}}`, wantMapped: 1, check: func(t *testing.T, imp *Imported) {
			if ps := imp.Process.Tasks[0].Parameters; len(ps) != 1 || ps["b"] == nil {
				t.Errorf("parameters %v", ps)
			}
		}},
		{name: "default connection", task: `{"defaultTo": "task-bbbbbbbb"}`, wantMapped: 1, check: func(t *testing.T, imp *Imported) {
			if !imp.Process.Tasks[0].Connections[0].Default {
				t.Error("defaultTo not applied")
			}
		}},
		{name: "default connection to nowhere", task: `{"defaultTo": "task-cccccccc"}`, dropped: 1, wantMapped: 1},
		{name: "unlabelled connection", task: `{"unlabelled": ["task-bbbbbbbb", "task-nowhere"]}`, wantMapped: 1, check: func(t *testing.T, imp *Imported) {
			if c := imp.Process.Tasks[0].Connections[0]; c.Label != "" {
				t.Errorf("the name made from the condition stayed: %+v", c)
			}
		}},
		{name: "unlabelled of the wrong type", task: `{"unlabelled": "task-bbbbbbbb"}`, dropped: 1, wantMapped: 1},
		{name: "bad task id", task: `{"instId": "no spaces allowed"}`, dropped: 1, wantMapped: 1},
		{name: "task id of another task", task: `{"instId": "task-bbbbbbbb"}`, dropped: 1, wantMapped: 1},
		{name: "task id restored everywhere", task: `{"instId": "start"}`, wantMapped: 1, check: func(t *testing.T, imp *Imported) {
			if imp.Process.Tasks[0].InstID != "start" || imp.TaskIDs["el-a"] != "start" {
				t.Errorf("ids %q %v", imp.Process.Tasks[0].InstID, imp.TaskIDs)
			}
		}},
		{name: "process: server-set fields ignored quietly, unknown ones reported",
			process: `{"id": "proc-abcdefgh", "status": "x", "creator": "eve", "version": 9, "tenantId": "other", "triggerToken": "t", "hack": 1, "engine": "fast", "timeout": "x"}`,
			dropped: 2, wantApprox: 1, check: func(t *testing.T, imp *Imported) {
				p := imp.Process
				if p.ID != "proc-abcdefgh" || p.Engine != "fast" || p.Creator != "" || p.TenantID != "" || p.TriggerToken != "" || p.Version != 0 || p.Status != "" {
					t.Errorf("process %+v", p)
				}
			}},
		{name: "process: an id that is no process id is ignored", process: `{"id": "../etc", "name": "n"}`, wantApprox: 1, check: func(t *testing.T, imp *Imported) {
			if imp.Process.ID != "" || imp.Process.Name != "n" {
				t.Errorf("process %+v", imp.Process)
			}
		}},
		{name: "process: not JSON", process: `{`, dropped: 1, wantApprox: 1},
		{name: "deeply nested", task: `{"parameters": {"a": {"value": ` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}}}`, dropped: 1, wantApprox: 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			imp := base()
			rep := Report{Approximated: []Note{{Element: "startEvent", ID: "el-a", How: "generic"}}}
			text := map[string]string{}
			if c.task != "" {
				text["el-a"] = c.task
			}
			text["el-nothing"] = `{"template": "script"}` // an element that became no task
			if err := overlayFlowcraft(imp, c.process, text, &rep); err != nil {
				t.Fatal(err)
			}
			if len(rep.Dropped) != c.dropped {
				t.Errorf("dropped %+v, want %d notes", rep.Dropped, c.dropped)
			}
			for _, n := range rep.Dropped {
				if n.Why == "" || (n.ID != "el-a" && n.ID != "Process_1") {
					t.Errorf("note %+v", n)
				}
			}
			if rep.Mapped != c.wantMapped || len(rep.Approximated) != c.wantApprox {
				t.Errorf("mapped %d approximated %v; want %d, %d", rep.Mapped, rep.Approximated, c.wantMapped, c.wantApprox)
			}
			if c.check != nil {
				c.check(t, imp)
			}
		})
	}
	if err := overlayFlowcraft(nil, "{}", nil, nil); err != nil {
		t.Error(err)
	}
	if err := overlayFlowcraft(&Imported{Process: &engine.Process{}}, "{}", map[string]string{"x": "{}"}, nil); err != nil {
		t.Error(err)
	}
}

// TestExportRoundTrip: Import(Export(p)) gives p again for every example, test
// definition and one-template definition (ids, names, templates, parameters, connections, conditions, positions,
// errorHandler, loopHandler, timeout, isIgnore, descriptions, process fields), and
// the report has nothing dropped or approximated.
func TestExportRoundTrip(t *testing.T) {
	for _, c := range append(exportDefinitions(t), templateDefinitions()...) {
		doc := mustExport(t, c.p)
		res, err := Import(bytes.NewReader(doc), Options{Strict: true})
		if err != nil {
			t.Fatalf("%s: Import: %v", c.name, err)
		}
		if len(res.Processes) != 1 {
			t.Fatalf("%s: %d processes", c.name, len(res.Processes))
		}
		got := res.Processes[0].Process
		want := normalised(t, c.p)
		if !regexp.MustCompile(`^proc-[a-z0-9]{8}$`).MatchString(c.p.ID) {
			want = strings.Replace(want, fmt.Sprintf(`"id": %q`, c.p.ID), `"id": ""`, 1)
		}
		if g := normalised(t, got); g != want {
			t.Errorf("%s: Import(Export(p)) differs:\n%s", c.name, lineDiff(want, g))
		}
		if len(res.Report.Dropped)+len(res.Report.Approximated) > 0 {
			t.Errorf("%s: report %+v", c.name, res.Report)
		}
	}
}
