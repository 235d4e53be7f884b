package scripting

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
)

// stopSignal is why a run was stopped from outside JavaScript (or by a
// guard): it becomes the Kind and Message of the resulting *Error.
type stopSignal struct {
	kind      ErrorKind
	msg       string
	cause     error
	line, col int // user position when known at the time of the stop
}

func (s *stopSignal) String() string { return s.msg }

// run is one execution on a vmState, guarded by a deadline timer, the
// context and (for runs that last) the memory monitor.
type run struct {
	st       *vmState
	start    time.Time
	deadline time.Time
	timer    *time.Timer
	stopCtx  func() bool
	logs     []LogEntry
	prog     *program
	ctxDL    bool // the deadline comes from the context

	stopped atomic.Bool // set once a stop was requested; cheap check for Go loops

	mu         sync.Mutex
	done       bool
	stop       *stopSignal
	registered bool   // in the memory monitor
	heapBase   uint64 // heap size when registered
}

// begin starts a run on st. The returned run must be finished.
func (st *vmState) begin(ctx context.Context, p *program) (*run, error) {
	if err := ctx.Err(); err != nil {
		return nil, ctxError(err)
	}
	now := time.Now()
	r := &run{st: st, start: now, prog: p}
	dl, ok := ctx.Deadline()
	r.ctxDL = ok
	if !ok {
		dl = now.Add(st.e.opts.Timeout)
	}
	r.deadline = dl
	r.mu.Lock() // the timer callback must see r.timer
	r.timer = time.AfterFunc(min(dl.Sub(now), memCheckDelay), r.onTimer)
	r.mu.Unlock()
	if ctx.Done() != nil {
		r.stopCtx = context.AfterFunc(ctx, func() {
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				r.interrupt(&stopSignal{kind: KindTimeout, msg: "execution deadline exceeded", cause: ctx.Err()})
			} else {
				r.interrupt(&stopSignal{kind: KindCanceled, msg: "execution canceled", cause: ctx.Err()})
			}
		})
	}
	st.cur = r
	st.runs++
	return r, nil
}

func ctxError(err error) *Error {
	if errors.Is(err, context.DeadlineExceeded) {
		return &Error{Kind: KindTimeout, Message: "execution deadline exceeded", cause: err}
	}
	return &Error{Kind: KindCanceled, Message: "execution canceled", cause: err}
}

// onTimer fires at the deadline, or earlier (memCheckDelay) to hand a run
// that is still going to the memory monitor.
func (r *run) onTimer() {
	r.mu.Lock()
	if r.done {
		r.mu.Unlock()
		return
	}
	now := time.Now()
	if !now.Before(r.deadline) {
		sig := &stopSignal{kind: KindTimeout, msg: "execution exceeded " + r.deadline.Sub(r.start).Round(time.Millisecond).String()}
		if r.ctxDL {
			sig.cause = context.DeadlineExceeded
		}
		r.interruptLocked(sig)
		r.mu.Unlock()
		return
	}
	r.timer.Reset(r.deadline.Sub(now))
	registered := r.registered
	r.mu.Unlock()
	if !registered {
		r.st.e.mon.add(r)
	}
}

// interrupt stops the run (first signal wins) unless it already finished.
func (r *run) interrupt(sig *stopSignal) {
	r.mu.Lock()
	r.interruptLocked(sig)
	r.mu.Unlock()
}

func (r *run) interruptLocked(sig *stopSignal) {
	if r.done || r.stop != nil {
		return
	}
	r.stop = sig
	r.stopped.Store(true)
	r.st.vm.Interrupt(sig)
}

// fail records a stop raised on the runtime's own goroutine (a guard) and
// aborts the script with an uncatchable error.
func (r *run) fail(sig *stopSignal) {
	r.mu.Lock()
	if r.stop == nil {
		r.stop = sig
		r.stopped.Store(true)
	}
	r.mu.Unlock()
	panic(&goja.InterruptedError{})
}

// signal returns the recorded stop, if any.
func (r *run) signal() *stopSignal {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stop
}

// finish ends the run: no interrupt can reach the runtime afterwards.
func (r *run) finish() {
	r.mu.Lock()
	r.done = true
	registered := r.registered
	r.mu.Unlock()
	r.timer.Stop()
	if r.stopCtx != nil {
		r.stopCtx()
	}
	if registered {
		r.st.e.mon.remove(r)
	}
	r.st.vm.ClearInterrupt()
	r.st.cur = nil
}

// batch evaluates one or more programs against one Scope on one runtime,
// converting each scope name at most once.
type batch struct {
	e    *Engine
	s    *Scope
	st   *vmState
	slot bool // holds one of e.slots
	vals [numScopeNames]goja.Value
	have scopeMask
	vars *goja.Object
}

func (e *Engine) newBatch(s *Scope) *batch { return &batch{e: e, s: s} }

// runtime returns the batch's runtime, first waiting (under ctx) for one of
// the engine's MaxConcurrentRuns slots.
func (b *batch) runtime(ctx context.Context) (*vmState, error) {
	if !b.slot {
		select {
		case b.e.slots <- struct{}{}:
			b.slot = true
		default:
			select {
			case b.e.slots <- struct{}{}:
				b.slot = true
			case <-ctx.Done():
				return nil, ctxError(ctx.Err())
			}
		}
	}
	if b.st == nil {
		b.st = b.e.getVM()
		b.have = 0
		b.vars = nil
	}
	return b.st, nil
}

func (b *batch) close() {
	if b.st != nil {
		b.e.putVM(b.st)
		b.st = nil
	}
	if b.slot {
		<-b.e.slots
		b.slot = false
	}
}

// args converts the scope names p uses into call arguments.
func (b *batch) args(p *program, extra goja.Value) ([]goja.Value, error) {
	st := b.st
	n := numScopeNames
	if extra != nil {
		n++
	}
	args := make([]goja.Value, n)
	for i := range numScopeNames {
		bit := scopeMask(1) << i
		if p.uses&bit == 0 {
			args[i] = goja.Undefined()
			continue
		}
		if b.have&bit == 0 {
			v, err := b.convert(st, bit)
			if err != nil {
				return nil, err
			}
			b.vals[i] = v
			b.have |= bit
		}
		args[i] = b.vals[i]
	}
	if extra != nil {
		args[numScopeNames] = extra
	}
	return args, nil
}

func (b *batch) convert(st *vmState, bit scopeMask) (goja.Value, error) {
	s := b.s
	switch bit {
	case useInput:
		return st.toJS(s.Input, 0)
	case useTrigger:
		return st.toJS(s.Trigger, 0)
	case useVars:
		v, err := st.toJSObject(s.Vars, 0)
		b.vars = v
		return v, err
	case useNodes:
		return st.toJSObject(s.Nodes, 0)
	case useInstance:
		return st.toJSObject(s.Instance, 0)
	case useItem:
		if !s.InLoop {
			return goja.Undefined(), nil
		}
		return st.toJS(s.Item, 0)
	default:
		if !s.InLoop {
			return goja.Undefined(), nil
		}
		return st.vm.ToValue(s.Index), nil
	}
}

// exec runs p with the batch scope; fin (if not nil) turns the JS result
// (st.result) into Go data while the run is still guarded by its deadline.
func (b *batch) exec(ctx context.Context, p *program, extra func(*vmState) goja.Value, fin func(st *vmState) error) (logs []LogEntry, err error) {
	st, err := b.runtime(ctx)
	if err != nil {
		return nil, err
	}
	var ex goja.Value
	if extra != nil {
		ex = extra(st)
	}
	args, err := b.args(p, ex)
	if err != nil {
		return nil, err
	}
	r, err := st.begin(ctx, p)
	if err != nil {
		return nil, err
	}
	err = st.call(p, args)
	if err == nil && fin != nil {
		err = fin(st)
	}
	var msg, code, codeMsg string
	var ee *goja.Exception
	if err != nil && errors.As(err, &ee) {
		// These may run user code (getters, toString): do it before the deadline is dropped.
		msg = st.describe(ee.Value())
		if !r.stopped.Load() { // an interrupt is delivered once: after one, nothing more may run
			code, codeMsg = st.businessError(ee.Value())
		}
	}
	r.finish()
	logs = r.logs
	if err != nil {
		out := st.classify(r, err, msg)
		out.Logs = logs
		if out.Kind == KindRuntime && code != "" {
			out.Code, out.CodeMessage = code, codeMsg
		}
		if out.Kind != KindRuntime && out.Kind != KindSyntax {
			st.broken = true // never reuse a runtime that was interrupted mid-flight
			b.st = nil
		}
		return logs, out
	}
	return logs, nil
}

func (b *batch) runScript(ctx context.Context, p *program) (Result, error) {
	res := Result{Vars: b.s.Vars}
	usesVars := p.uses&useVars != 0
	logs, err := b.exec(ctx, p, nil, func(st *vmState) error {
		_, isObj := st.result.(*goja.Object)
		return st.exportResult(isObj || usesVars, func(x *exporter) {
			res.Value = x.top(st.result)
			if usesVars && b.vars != nil {
				x.reset()
				vars, _ := x.top(b.vars).(map[string]any)
				if vars == nil {
					vars = map[string]any{}
				}
				if !jsonEqual(vars, b.s.Vars) {
					res.Vars = vars
					res.VarsChanged = true
				}
			}
		})
	})
	res.Logs = logs
	if usesVars {
		b.have &^= useVars // vars may have changed: reconvert for the next program
	}
	return res, err
}

func (b *batch) eval(ctx context.Context, p *program) (any, error) {
	var out any
	_, err := b.exec(ctx, p, nil, func(st *vmState) error {
		_, isObj := st.result.(*goja.Object)
		return st.exportResult(isObj, func(x *exporter) { out = x.top(st.result) })
	})
	return out, err
}

func (b *batch) condition(ctx context.Context, p *program) (bool, error) {
	var out bool
	_, err := b.exec(ctx, p, nil, func(st *vmState) error {
		out = st.result.ToBoolean()
		return nil
	})
	return out, err
}

func (b *batch) render(ctx context.Context, p *program) (any, error) {
	if p.typed {
		return b.eval(ctx, p)
	}
	var out string
	_, err := b.exec(ctx, p, func(st *vmState) goja.Value { return st.textFn }, func(st *vmState) error {
		if s, ok := st.result.Export().(string); ok {
			out = s
		}
		if len(out) > b.e.opts.MaxOutputSize {
			return st.limitError("template result of " + strconv.Itoa(len(out)) + " bytes exceeds MaxOutputSize")
		}
		return nil
	})
	return out, err
}

func (b *batch) renderValue(ctx context.Context, v any) (any, error) {
	switch x := v.(type) {
	case string:
		if !strings.Contains(x, "{{") {
			return x, nil
		}
		p := b.e.compile(kindTemplate, x)
		if p.err != nil {
			return nil, p.err.clone()
		}
		return b.render(ctx, p)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, el := range x {
			r, err := b.renderValue(ctx, el)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, el := range x {
			r, err := b.renderValue(ctx, el)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	case []string:
		out := make([]any, len(x))
		for i, el := range x {
			r, err := b.renderValue(ctx, el)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	case map[string]string:
		out := make(map[string]any, len(x))
		for k, el := range x {
			r, err := b.renderValue(ctx, el)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	}
	return v, nil
}

// classify turns an error from goja into an *Error positioned in user code.
func (st *vmState) classify(r *run, err error, msg string) *Error {
	var out *Error
	if errors.As(err, &out) {
		return out
	}
	p := r.prog
	var so *goja.StackOverflowError
	var ie *goja.InterruptedError
	var ex *goja.Exception
	switch {
	case errors.As(err, &so):
		out = &Error{Kind: KindLimit, Message: "RangeError: Maximum call stack size exceeded"}
		out.Line, out.Column, out.Stack = stackInfo(p, so.Stack())
	case errors.As(err, &ie):
		sig := r.signal()
		if sig == nil {
			sig, _ = ie.Value().(*stopSignal)
		}
		if sig == nil {
			sig = &stopSignal{kind: KindLimit, msg: "execution interrupted"}
		}
		out = &Error{Kind: sig.kind, Message: sig.msg, cause: sig.cause}
		out.Line, out.Column, out.Stack = stackInfo(p, ie.Stack())
		if sig.line > 0 {
			out.Line, out.Column = sig.line, sig.col
		}
	case errors.As(err, &ex):
		out = &Error{Kind: KindRuntime, Message: msg}
		out.Line, out.Column, out.Stack = stackInfo(p, ex.Stack())
	default:
		out = &Error{Kind: KindRuntime, Message: err.Error()}
	}
	return out
}

// stackInfo returns the innermost user-code position and a stack trace
// with positions relative to the user's text.
func stackInfo(p *program, frames []goja.StackFrame) (line, col int, stack string) {
	name := progSourceName(p)
	var b strings.Builder
	for i := range frames {
		f := &frames[i]
		if f.SrcName() != name {
			continue
		}
		pos := f.Position()
		l, c := p.smap.position(pos.Line, pos.Column)
		if line == 0 {
			line, col = l, c
		}
		fn := f.FuncName()
		if fn == "" || fn == "<anonymous>" {
			fn = "<" + name + ">"
		}
		b.WriteString("at ")
		b.WriteString(fn)
		b.WriteString(" (")
		b.WriteString(strconv.Itoa(l))
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(c))
		b.WriteString(")\n")
	}
	return line, col, strings.TrimSuffix(b.String(), "\n")
}

func progSourceName(p *program) string {
	switch p.kind {
	case kindScript:
		return srcScript
	case kindExpr:
		return srcExpr
	}
	return srcTemplate
}
