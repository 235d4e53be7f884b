package bpmn

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"flowcraft/engine"
)

// endless yields head, then filler for ever: a body of any size without allocating it.
type endless struct {
	head   []byte
	filler []byte
	read   int64
}

func (e *endless) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(e.head) > 0 {
			c := copy(p[n:], e.head)
			e.head = e.head[c:]
			n += c
			continue
		}
		c := copy(p[n:], e.filler[int(e.read)%len(e.filler):])
		n += c
		e.read += int64(c)
	}
	return n, nil
}

const head = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">`

// TestImportBadInput: each kind of bad document is refused with its own code.
func TestImportBadInput(t *testing.T) {
	deep := head + strings.Repeat("<bpmn:extensionElements>", 100) + strings.Repeat("</bpmn:extensionElements>", 100) + "</bpmn:definitions>"
	many := head + strings.Repeat("<bpmn:documentation/>", 60_000) + "</bpmn:definitions>"
	cycle := defs(`<bpmn:process id="a" name="a"><bpmn:startEvent id="s1"/><bpmn:sequenceFlow id="f1" sourceRef="s1" targetRef="c1"/><bpmn:callActivity id="c1" calledElement="b"/></bpmn:process>
	  <bpmn:process id="b" name="b"><bpmn:startEvent id="s2"/><bpmn:sequenceFlow id="f2" sourceRef="s2" targetRef="c2"/><bpmn:callActivity id="c2" calledElement="a"/></bpmn:process>`)
	self := defs(`<bpmn:process id="a" name="a"><bpmn:startEvent id="s1"/><bpmn:sequenceFlow id="f1" sourceRef="s1" targetRef="c1"/><bpmn:callActivity id="c1" calledElement="a"/></bpmn:process>`)
	laughs := `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"><bpmn:process id="p" name="&lol9;"/></bpmn:definitions>`
	xxe := `<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"><bpmn:process id="p" name="&xxe;"/></bpmn:definitions>`
	for _, c := range []struct {
		name string
		body io.Reader
		opts Options
		code engine.Code
		says string
	}{
		{"not XML", strings.NewReader("this is not XML"), Options{}, engine.CodeBPMNNotXML, "not XML"},
		{"broken XML", strings.NewReader(head + "<bpmn:process></bpmn:definitions>"), Options{}, engine.CodeBPMNNotXML, "line 2"},
		{"empty", strings.NewReader(""), Options{}, engine.CodeBPMNNotXML, "empty"},
		{"JSON", strings.NewReader(`{"name": "a process"}`), Options{}, engine.CodeBPMNNotXML, "not XML"},
		{"not BPMN", strings.NewReader(`<html><body/></html>`), Options{}, engine.CodeBPMNNotBPMN, "html"},
		{"BPMN 1 namespace", strings.NewReader(`<definitions xmlns="http://example.com/bpmn"/>`), Options{}, engine.CodeBPMNNotBPMN, "example.com"},
		{"billion laughs", strings.NewReader(laughs), Options{}, engine.CodeBPMNDoctype, "DOCTYPE"},
		{"external entity", strings.NewReader(xxe), Options{}, engine.CodeBPMNDoctype, "DOCTYPE"},
		{"undeclared entity", strings.NewReader(head + `<bpmn:process id="p" name="&xxe;"/></bpmn:definitions>`), Options{}, engine.CodeBPMNNotXML, "entity"},
		{"latin-1", strings.NewReader(`<?xml version="1.0" encoding="ISO-8859-1"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"/>`), Options{}, engine.CodeBPMNEncoding, "ISO-8859-1"},
		{"100 MB", &endless{head: []byte(head), filler: []byte("<!-- padding padding padding padding -->\n")}, Options{}, engine.CodeBPMNTooLarge, "10485760"},
		{"larger than MaxBytes", strings.NewReader(mustRead(t, "camunda7_invoice.bpmn")), Options{MaxBytes: 1000}, engine.CodeBPMNTooLarge, "1000 bytes"},
		{"too deep", strings.NewReader(deep), Options{}, engine.CodeBPMNTooDeep, "64"},
		{"too many elements", strings.NewReader(many), Options{}, engine.CodeBPMNTooManyElements, "50000"},
		{"call cycle", strings.NewReader(cycle), Options{}, engine.CodeBPMNCallCycle, "a → b → a"},
		{"recursive call", strings.NewReader(self), Options{}, engine.CodeBPMNCallCycle, "a → a"},
		{"no process", strings.NewReader(head + "</bpmn:definitions>"), Options{}, engine.CodeBPMNNothing, "no process"},
		{"empty process", strings.NewReader(head + `<bpmn:process id="p"/></bpmn:definitions>`), Options{}, engine.CodeBPMNNothing, "no process"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := Import(c.body, c.opts)
			if err == nil {
				t.Fatalf("imported: %s", asJSON(res))
			}
			wantCode(t, err, c.code)
			if !strings.Contains(err.Error(), c.says) {
				t.Errorf("message %q does not say %q", err.Error(), c.says)
			}
		})
	}
}

// TestImportReadsAtMostMaxBytes: a huge body is not read to its end.
func TestImportReadsAtMostMaxBytes(t *testing.T) {
	body := &endless{head: []byte(head), filler: []byte("<!-- padding -->\n")}
	_, err := Import(body, Options{MaxBytes: 1 << 20})
	wantCode(t, err, engine.CodeBPMNTooLarge)
	if body.read > 2<<20 {
		t.Errorf("read %d bytes of a body bounded at 1 MiB", body.read)
	}
	// Exactly MaxBytes is fine.
	doc := mustRead(t, "bpmnio_nostart.bpmn")
	if _, err := Import(strings.NewReader(doc), Options{MaxBytes: int64(len(doc))}); err != nil {
		t.Errorf("a document of exactly MaxBytes: %v", err)
	}
}

// TestImportIgnoresUnknownNamespaces: elements and attributes of namespaces the
// import does not know are ignored, said once per namespace in the report.
func TestImportIgnoresUnknownNamespaces(t *testing.T) {
	doc := strings.Replace(defs(`<bpmn:process id="p" name="p" acme:owner="x"><bpmn:extensionElements><acme:thing/></bpmn:extensionElements>
	  <acme:stray/><bpmn:startEvent id="s"><bpmn:extensionElements><acme:colour value="red"/></bpmn:extensionElements></bpmn:startEvent></bpmn:process>`),
		`id="d"`, `id="d" xmlns:acme="http://acme.example/bpmn"`, 1)
	res, err := Import(strings.NewReader(doc), Options{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range res.Report.Approximated {
		if a.Element == "namespace" {
			n++
			if a.ID != "http://acme.example/bpmn" {
				t.Errorf("namespace note %+v", a)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d namespace notes: %+v", n, res.Report.Approximated)
	}
	validate(t, res.Processes[0].Process)
}

// TestImportAcceptsUTF8Declarations: UTF-8 and ASCII declarations (any case) read.
func TestImportAcceptsUTF8Declarations(t *testing.T) {
	for _, enc := range []string{"UTF-8", "utf-8", "US-ASCII", "ascii"} {
		doc := strings.Replace(defs(`<bpmn:process id="p" name="p"><bpmn:startEvent id="s"/></bpmn:process>`), `encoding="UTF-8"`, `encoding="`+enc+`"`, 1)
		if _, err := Import(bytes.NewReader([]byte(doc)), Options{}); err != nil {
			t.Errorf("%s: %v", enc, err)
		}
	}
}
