package scripting

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// installConsole defines console.log/info/warn/error/debug, captured into
// the current run's logs (at most MaxLogEntries per run; each message at
// most 4 KiB, truncated with "…").
func (st *vmState) installConsole() error {
	console := st.vm.NewObject()
	for _, level := range []string{"log", "info", "warn", "error", "debug"} {
		f := st.native(level, 0, func(call goja.FunctionCall) goja.Value {
			st.log(level, call.Arguments)
			return goja.Undefined()
		})
		if err := console.DefineDataProperty(level, f, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE); err != nil {
			return err
		}
	}
	return st.global.DefineDataProperty("console", console, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

func (st *vmState) log(level string, args []goja.Value) {
	r := st.cur
	if r == nil || len(r.logs) >= st.e.opts.MaxLogEntries {
		return
	}
	f := &logFormatter{st: st}
	for i, a := range args {
		if i > 0 {
			f.b.WriteByte(' ')
		}
		if s, ok := a.(goja.String); ok {
			f.write(s.String())
		} else {
			f.value(a, 0)
		}
		if f.full() {
			break
		}
	}
	r.logs = append(r.logs, LogEntry{Level: level, Message: f.String(), At: time.Now()})
}

// logFormatter renders console arguments: strings as is, objects as
// compact JSON-like text, functions as [Function: name]; output is cut at
// maxLogMessage bytes.
type logFormatter struct {
	st    *vmState
	b     strings.Builder
	stack []*goja.Object
}

func (f *logFormatter) full() bool { return f.b.Len() > maxLogMessage }

func (f *logFormatter) write(s string) {
	if room := maxLogMessage + 1 - f.b.Len(); room > 0 {
		if len(s) > room {
			s = s[:room]
		}
		f.b.WriteString(s)
	}
}

func (f *logFormatter) String() string {
	s := f.b.String()
	if len(s) <= maxLogMessage {
		return s
	}
	s = s[:maxLogMessage-len("…")]
	for len(s) > 0 && !utf8.ValidString(s[len(s)-min(len(s), 3):]) {
		s = s[:len(s)-1]
	}
	return s + "…"
}

func (f *logFormatter) value(v goja.Value, depth int) {
	if f.full() {
		return
	}
	switch {
	case v == nil || goja.IsUndefined(v):
		f.write("undefined")
		return
	case goja.IsNull(v):
		f.write("null")
		return
	}
	o, ok := v.(*goja.Object)
	if !ok {
		if s, ok := v.(goja.String); ok {
			f.write(strconv.Quote(s.String()))
			return
		}
		f.write(v.String())
		return
	}
	for _, p := range f.stack {
		if p.SameAs(o) {
			f.write("[Circular]")
			return
		}
	}
	switch o.ClassName() {
	case "Function":
		name := o.Get("name").String()
		if name == "" {
			name = "(anonymous)"
		}
		f.write("[Function: " + name + "]")
		return
	case "Error":
		f.write(o.String())
		return
	case "Date", "RegExp", "Number", "String", "Boolean":
		f.write(o.String())
		return
	}
	if depth >= 5 {
		f.write("[Object]")
		return
	}
	f.stack = append(f.stack, o)
	defer func() { f.stack = f.stack[:len(f.stack)-1] }()
	if o.ClassName() == "Array" {
		n := toLength(o.Get("length"))
		f.write("[")
		for i := int64(0); i < n && !f.full(); i++ {
			if i > 0 {
				f.write(",")
			}
			f.value(o.Get(strconv.FormatInt(i, 10)), depth+1)
		}
		f.write("]")
		return
	}
	f.write("{")
	for i, k := range o.Keys() {
		if f.full() {
			break
		}
		if i > 0 {
			f.write(",")
		}
		f.write(strconv.Quote(k) + ":")
		f.value(o.Get(k), depth+1)
	}
	f.write("}")
}
