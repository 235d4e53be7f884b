package bpmn

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"

	"flowcraft/engine"
)

// maxExtBytes bounds one <flowcraft:process> or <flowcraft:task> text; a larger one
// is ignored (reported as dropped).
const maxExtBytes = 4 << 20

// taskIDPattern is engine's rule for a client-chosen task id.
var taskIDPattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// readOnlyProcessFields are fields of engine.Process the server sets: an extension
// naming them is not wrong (an older export, a hand-written file), they are ignored
// without a note, as the API ignores them.
var readOnlyProcessFields = map[string]bool{
	"startTaskInstId": true, "endTaskInstId": true, "status": true, "creator": true,
	"error": true, "version": true, "triggerApp": true, "triggerToken": true,
	"createAt": true, "updateAt": true, "tenantId": true, "tasks": true,
}

// overlayFlowcraft applies flowcraft's own settings, written by Export into
// extensionElements (<fc:process> on the process, <fc:task> on each flow node, both
// JSON text in namespace NSFlowcraft), onto a definition Import mapped from the
// standard elements: processExt is the process's <fc:process> text ("" when absent),
// taskExt the <fc:task> text by flow node id. What the standard elements carry
// exactly — names, positions (DI), connections (sequence flows) — stays as mapped;
// everything else of a task (template, parameters, errorHandler, loopHandler,
// timeout, isIgnore, description) comes from the extension, and so does the task id
// (instId): Import keeps only ids of the form task-xxxxxxxx and Export may have had to
// use another element id; the task gets its id back everywhere the definition names
// it (connections, error targets, imp.TaskIDs) unless another task has it.
//
// The task of a flow node is imp.TaskIDs[element id], or the task whose id is the
// element id when TaskIDs does not name it.
//
// The texts come from untrusted files: each is bounded (maxExtBytes) and parsed
// strictly; an unreadable text, an unknown field or a value of the wrong type is left
// out and reported in rep.Dropped (element "flowcraft:task"/"flowcraft:process", the
// element's id), the rest still applies. A flow node whose extension applied is
// mapped exactly: the overlay removes the approximation notes Import wrote for it and
// counts it in rep.Mapped instead. The error result is reserved; it is always nil.
func overlayFlowcraft(imp *Imported, processExt string, taskExt map[string]string, rep *Report) error {
	if imp == nil || imp.Process == nil {
		return nil
	}
	if rep == nil {
		rep = &Report{}
	}
	p := imp.Process
	if processExt != "" {
		applyProcessExt(p, imp.BPMNID, processExt, rep)
	}
	byID := map[string]*engine.Task{}
	for _, t := range p.Tasks {
		if t != nil {
			byID[t.InstID] = t
		}
	}
	elemIDs := make([]string, 0, len(taskExt))
	for id := range taskExt {
		elemIDs = append(elemIDs, id)
	}
	slices.Sort(elemIDs)
	renames := map[string]string{} // task id as mapped → task id of the extension
	defaults := map[*engine.Task]string{}
	unlabelled := map[*engine.Task][]string{}
	exact := map[string]bool{} // element ids
	for _, elemID := range elemIDs {
		tid := elemID
		if mapped, ok := imp.TaskIDs[elemID]; ok {
			tid = mapped
		}
		t := byID[tid]
		if t == nil {
			continue // the element became no task (dropped or folded): nothing to apply
		}
		if applyTaskExt(t, elemID, taskExt[elemID], rep, renames, defaults, unlabelled) {
			exact[elemID] = true
		}
	}
	renameTasks(imp, renames, rep)
	// A default connection BPMN could not carry (defaultTo, a task id as the
	// definition had it: after the renames).
	for _, t := range p.Tasks {
		to, ok := defaults[t]
		if !ok {
			continue
		}
		i := slices.IndexFunc(t.Connections, func(c engine.Connection) bool { return c.To == to })
		if i < 0 {
			dropNote(rep, "flowcraft:task", elemOfTask(imp, t), nt("ext_default_to", "to", to))
			continue
		}
		for j := range t.Connections {
			t.Connections[j].Default = j == i
		}
	}
	// Connections whose flow was named after the condition have no label.
	for _, t := range p.Tasks {
		for _, to := range unlabelled[t] {
			for j := range t.Connections {
				if t.Connections[j].To == to {
					t.Connections[j].Label = ""
				}
			}
		}
	}
	if len(exact) > 0 {
		removed := map[string]bool{}
		kept := rep.Approximated[:0]
		for _, n := range rep.Approximated {
			if exact[n.ID] {
				removed[n.ID] = true
				continue
			}
			kept = append(kept, n)
		}
		rep.Approximated = kept
		rep.Mapped += len(removed)
	}
	return nil
}

// extFields splits an extension text into its top-level fields: it must be one JSON
// object of at most maxExtBytes.
func extFields(text string) (map[string]json.RawMessage, error) {
	if len(text) > maxExtBytes {
		return nil, fmt.Errorf("larger than %d bytes", maxExtBytes)
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(text)))
	var fields map[string]json.RawMessage
	if err := dec.Decode(&fields); err != nil {
		return nil, fmt.Errorf("not a JSON object: %v", err)
	}
	if fields == nil {
		return nil, errors.New("not a JSON object: null")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("not a JSON object: data after the object")
	}
	return fields, nil
}

// decodeStrict decodes one field's value into v, refusing unknown fields at every
// level.
func decodeStrict(raw json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the value")
	}
	return nil
}

// sortedKeys are a field map's keys in order, so that notes come out the same each time.
func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func dropNote(rep *Report, element, id string, n noteMsg) {
	rep.Dropped = append(rep.Dropped, Note{Element: element, ID: id, Code: n.code, Params: n.params, Why: n.text()})
}

func applyProcessExt(p *engine.Process, bpmnID, text string, rep *Report) {
	const elem = "flowcraft:process"
	fields, err := extFields(text)
	if err != nil {
		dropNote(rep, elem, bpmnID, nt("ext_invalid", "reason", err.Error()))
		return
	}
	for _, k := range sortedKeys(fields) {
		raw := fields[k]
		var err error
		switch k {
		case "id":
			var id string
			if err = decodeStrict(raw, &id); err == nil && processIDForm.MatchString(id) {
				p.ID = id
			}
		case "name":
			err = decodeStrict(raw, &p.Name)
		case "description":
			err = decodeStrict(raw, &p.Description)
		case "engine":
			err = decodeStrict(raw, &p.Engine)
		case "enabled":
			err = decodeStrict(raw, &p.Enabled)
		case "executor":
			err = decodeStrict(raw, &p.Executor)
		case "timeout":
			err = decodeStrict(raw, &p.Timeout)
		case "category":
			err = decodeStrict(raw, &p.Category)
		case "historyTimeToLive":
			err = decodeStrict(raw, &p.HistoryTTLDays)
		case "payloadAsVariables":
			err = decodeStrict(raw, &p.PayloadAsVariables)
		case "inputDataSchema":
			p.InputDataSchema = compactRaw(raw)
		case "outputDataSchema":
			p.OutputDataSchema = compactRaw(raw)
		case "extension":
			p.Extension = compactRaw(raw)
		case "metadata":
			p.Metadata = compactRaw(raw)
		default:
			if !readOnlyProcessFields[k] {
				dropNote(rep, elem, bpmnID, nt("ext_unknown", "key", k))
			}
		}
		if err != nil {
			dropNote(rep, elem, bpmnID, nt("ext_setting", "key", k, "reason", err.Error()))
		}
	}
}

// compactRaw is a copy of a raw JSON value (valid: it was decoded) without white space.
func compactRaw(raw json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return append(json.RawMessage(nil), raw...)
	}
	return b.Bytes()
}

// applyTaskExt applies one <flowcraft:task> text, of the flow node elemID, to t; it
// reports whether the text was read (then the node counts as mapped exactly). A valid
// instId different from t's id is recorded in renames.
func applyTaskExt(t *engine.Task, elemID, text string, rep *Report, renames map[string]string, defaults map[*engine.Task]string, unlabelled map[*engine.Task][]string) bool {
	const elem = "flowcraft:task"
	id := elemID
	fields, err := extFields(text)
	if err != nil {
		dropNote(rep, elem, id, nt("ext_invalid", "reason", err.Error()))
		return false
	}
	mappedTemplate := t.Template
	for _, k := range sortedKeys(fields) {
		raw := fields[k]
		var err error
		switch k {
		case "instId":
			var orig string
			if err = decodeStrict(raw, &orig); err == nil && orig != t.InstID {
				if taskIDPattern.MatchString(orig) {
					renames[t.InstID] = orig
				} else {
					err = errors.New("not a valid task id")
				}
			}
		case "description":
			err = decodeStrict(raw, &t.Description)
		case "template":
			var tpl string
			if err = decodeStrict(raw, &tpl); err == nil && tpl != "" {
				t.Template = tpl
			}
		case "parameters":
			var params map[string]*engine.Parameter
			if err = decodeStrict(raw, &params); err == nil {
				for key, prm := range params {
					if prm == nil {
						delete(params, key)
					}
				}
				t.Parameters = params
			}
		case "errorHandler":
			var eh engine.ErrorHandler
			if err = decodeStrict(raw, &eh); err == nil {
				t.ErrorHandler = eh
			}
		case "loopHandler":
			var lh engine.LoopHandler
			if err = decodeStrict(raw, &lh); err == nil {
				t.LoopHandler = lh
			}
		case "timeout":
			err = decodeStrict(raw, &t.Timeout)
		case "isIgnore":
			err = decodeStrict(raw, &t.IsIgnore)
		case "defaultTo":
			var to string
			if err = decodeStrict(raw, &to); err == nil {
				defaults[t] = to
			}
		case "unlabelled":
			var tos []string
			if err = decodeStrict(raw, &tos); err == nil {
				unlabelled[t] = tos
			}
		default:
			err = errors.New("unknown flowcraft setting")
		}
		if err != nil {
			dropNote(rep, elem, id, nt("ext_setting", "key", k, "reason", err.Error()))
		}
	}
	// The position is the designer card centred on the shape; the card's size depends
	// on the template, so a template that differs from the one the element mapped to
	// moves the card to stay centred.
	if t.Template != mappedTemplate && len(t.Positions) >= 2 {
		ow, oh := cardSize(mappedTemplate)
		nw, nh := cardSize(t.Template)
		if ow != nw || oh != nh {
			t.Positions = []float64{t.Positions[0] + ow/2 - nw/2, t.Positions[1] + oh/2 - nh/2}
		}
	}
	return true
}

// elemOfTask is the element id of a task, for a note.
func elemOfTask(imp *Imported, t *engine.Task) string {
	for e, tid := range imp.TaskIDs {
		if tid == t.InstID {
			return e
		}
	}
	return t.InstID
}

// renameTasks gives tasks back the ids their extensions carry (id as mapped → id of
// the extension), everywhere the definition names them; an id another task already
// has is refused.
func renameTasks(imp *Imported, renames map[string]string, rep *Report) {
	if len(renames) == 0 {
		return
	}
	p := imp.Process
	elemOf := map[string]string{} // task id → element id, for the notes
	for e, tid := range imp.TaskIDs {
		elemOf[tid] = e
	}
	used := map[string]bool{}
	for _, t := range p.Tasks {
		if t != nil {
			used[t.InstID] = true
		}
	}
	applied := map[string]string{}
	for _, t := range p.Tasks {
		if t == nil {
			continue
		}
		orig, ok := renames[t.InstID]
		if !ok {
			continue
		}
		if used[orig] {
			noteID := t.InstID
			if e, ok := elemOf[t.InstID]; ok {
				noteID = e
			}
			dropNote(rep, "flowcraft:task", noteID, nt("ext_inst_id", "id", orig))
			continue
		}
		used[orig] = true
		applied[t.InstID] = orig
		t.InstID = orig
	}
	ren := func(s string) string {
		if n, ok := applied[s]; ok {
			return n
		}
		return s
	}
	for e, tid := range imp.TaskIDs {
		imp.TaskIDs[e] = ren(tid)
	}
	p.StartTaskInstID = ren(p.StartTaskInstID)
	p.EndTaskInstID = ren(p.EndTaskInstID)
	for _, t := range p.Tasks {
		if t == nil {
			continue
		}
		for i := range t.Connections {
			t.Connections[i].To = ren(t.Connections[i].To)
		}
		t.ErrorHandler.Target = ren(t.ErrorHandler.Target)
		for i := range t.ErrorHandler.Routes {
			t.ErrorHandler.Routes[i].Target = ren(t.ErrorHandler.Routes[i].Target)
		}
	}
}
