package bpmn

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"flowcraft/engine"
)

// Vendor namespaces whose extensions Import reads.
const (
	nsCamunda  = "http://camunda.org/schema/1.0/bpmn"
	nsZeebe    = "http://camunda.org/schema/zeebe/1.0"
	nsFlowable = "http://flowable.org/bpmn"
	nsActiviti = "http://activiti.org/bpmn"
	nsXSI      = "http://www.w3.org/2001/XMLSchema-instance"
	nsXMLNS    = "xmlns"
)

// Defaults of Options.
const (
	defaultMaxBytes    = 10 << 20
	defaultMaxElements = 50_000
	defaultMaxDepth    = 64
)

// elem is one XML element of the document: a small tree built from the token stream,
// bounded by Options before it is built.
type elem struct {
	Space, Local string
	Attr         []xml.Attr
	Kids         []*elem
	text         []byte // character data directly inside, concatenated
	Line         int
}

// attr returns the value of the attribute local in namespace space ("" for none).
func (e *elem) attr(space, local string) string {
	for _, a := range e.Attr {
		if a.Name.Local == local && a.Name.Space == space {
			return a.Value
		}
	}
	return ""
}

// vendorAttr returns the attribute local of the first vendor namespace (camunda,
// flowable, activiti) that carries it.
func (e *elem) vendorAttr(local string) string {
	for _, ns := range []string{nsCamunda, nsFlowable, nsActiviti} {
		if v := e.attr(ns, local); v != "" {
			return v
		}
	}
	return ""
}

// Text is the trimmed character data directly inside e.
func (e *elem) Text() string { return strings.TrimSpace(string(e.text)) }

// kid returns the first child in namespace space named local, or nil.
func (e *elem) kid(space, local string) *elem {
	if e == nil {
		return nil
	}
	for _, k := range e.Kids {
		if k.Local == local && k.Space == space {
			return k
		}
	}
	return nil
}

// kids returns the children in namespace space named local.
func (e *elem) kids(space, local string) []*elem {
	if e == nil {
		return nil
	}
	var out []*elem
	for _, k := range e.Kids {
		if k.Local == local && k.Space == space {
			out = append(out, k)
		}
	}
	return out
}

// ext returns the extensionElements child of e (nil when absent).
func (e *elem) ext() *elem { return e.kid(NSModel, "extensionElements") }

// vendorExt returns the first child of e's extensionElements named local in one of
// the vendor namespaces (camunda, flowable, activiti).
func (e *elem) vendorExt(local string) *elem {
	x := e.ext()
	for _, ns := range []string{nsCamunda, nsFlowable, nsActiviti} {
		if k := x.kid(ns, local); k != nil {
			return k
		}
	}
	return nil
}

// errCode makes an import error of kind ErrInvalid with a stable code.
func errCode(code engine.Code, params engine.Params, format string, args ...any) error {
	return engine.Coded(engine.ErrInvalid, code, params, format, args...)
}

// errTooLarge is what the bounded reader returns past MaxBytes.
var errTooLarge = errors.New("bpmn: document too large")

// limitReader reads at most max bytes, then fails with errTooLarge.
type limitReader struct {
	r    io.Reader
	left int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// errEncoding carries the declared encoding the reader refused.
type errEncoding struct{ label string }

func (e errEncoding) Error() string {
	return fmt.Sprintf("encoding %q is not supported; save the document as UTF-8", e.label)
}

// parse reads a whole document into a tree, within the bounds of opts. The root must
// be BPMN's definitions element.
func parse(r io.Reader, opts Options) (*elem, error) {
	// One byte more than allowed tells a too-large document from one of exactly
	// MaxBytes.
	lr := &limitReader{r: r, left: opts.MaxBytes + 1}
	counter := &countReader{r: lr}
	d := xml.NewDecoder(counter)
	d.Strict = true
	d.CharsetReader = func(label string, input io.Reader) (io.Reader, error) {
		switch strings.ToLower(strings.TrimSpace(label)) {
		case "utf-8", "utf8", "us-ascii", "ascii":
			return input, nil
		}
		return nil, errEncoding{label}
	}
	var root *elem
	var stack []*elem
	elements := 0
	for {
		tok, err := d.Token()
		if counter.n > opts.MaxBytes {
			return nil, tooLarge(opts)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, decodeError(d, err, opts)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			line, _ := d.InputPos()
			elements++
			if elements > opts.MaxElements {
				return nil, errCode(engine.CodeBPMNTooManyElements, engine.Params{"max": opts.MaxElements, "line": line},
					"the document has more than %d elements (line %d)", opts.MaxElements, line)
			}
			if len(stack) >= opts.MaxDepth {
				return nil, errCode(engine.CodeBPMNTooDeep, engine.Params{"max": opts.MaxDepth, "line": line},
					"elements are nested more than %d deep (line %d)", opts.MaxDepth, line)
			}
			e := &elem{Space: t.Name.Space, Local: t.Name.Local, Line: line}
			for _, a := range t.Attr {
				if a.Name.Space == nsXMLNS || (a.Name.Space == "" && a.Name.Local == nsXMLNS) {
					continue
				}
				e.Attr = append(e.Attr, a)
			}
			if len(stack) == 0 {
				if root != nil {
					return nil, errCode(engine.CodeBPMNNotXML, engine.Params{"line": line, "error": "more than one root element"},
						"not XML: more than one root element (line %d)", line)
				}
				if e.Space != NSModel || e.Local != "definitions" {
					name := e.Local
					if e.Space != "" {
						name = "{" + e.Space + "}" + e.Local
					}
					return nil, errCode(engine.CodeBPMNNotBPMN, engine.Params{"root": name},
						"not BPMN 2.0: the root element is %s, not definitions of namespace %s", name, NSModel)
				}
				root = e
			} else {
				parent := stack[len(stack)-1]
				parent.Kids = append(parent.Kids, e)
			}
			stack = append(stack, e)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				top.text = append(top.text, t...)
			} else if len(bytes.TrimSpace(t)) > 0 {
				line, _ := d.InputPos()
				return nil, errCode(engine.CodeBPMNNotXML, engine.Params{"line": line, "error": "text outside the root element"},
					"not XML: text outside the root element (line %d)", line)
			}
		case xml.Directive:
			line, _ := d.InputPos()
			return nil, errCode(engine.CodeBPMNDoctype, engine.Params{"line": line},
				"the document has a DOCTYPE or another declaration (line %d); BPMN needs none, and entities are refused", line)
		}
	}
	if root == nil {
		return nil, errCode(engine.CodeBPMNNotXML, engine.Params{"line": 1, "error": "no root element"}, "not XML: the document is empty")
	}
	return root, nil
}

// countReader counts the bytes read through it.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func tooLarge(opts Options) error {
	return errCode(engine.CodeBPMNTooLarge, engine.Params{"max": opts.MaxBytes},
		"the document is larger than %d bytes", opts.MaxBytes)
}

// decodeError turns a decoder error into the import's coded error.
func decodeError(d *xml.Decoder, err error, opts Options) error {
	if errors.Is(err, errTooLarge) {
		return tooLarge(opts)
	}
	var enc errEncoding
	if errors.As(err, &enc) {
		return errCode(engine.CodeBPMNEncoding, engine.Params{"encoding": enc.label}, "%s", enc.Error())
	}
	var syn *xml.SyntaxError
	if errors.As(err, &syn) {
		return errCode(engine.CodeBPMNNotXML, engine.Params{"line": syn.Line, "error": syn.Msg}, "not XML: %s (line %d)", syn.Msg, syn.Line)
	}
	line, _ := d.InputPos()
	return errCode(engine.CodeBPMNNotXML, engine.Params{"line": line, "error": err.Error()}, "not XML: %v (line %d)", err, line)
}
