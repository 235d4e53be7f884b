package scripting

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// cheapRunner performs correct cheap runs until stop is closed and records
// every wrong result.
func cheapRunner(t *testing.T, e *Engine, stop <-chan struct{}) (wait func() (runs int64, failures []string)) {
	t.Helper()
	var n atomic.Int64
	var mu sync.Mutex
	var fails []string
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		// The deadline is generous: this checks correctness, not latency,
		// while hostile runs compete for the two CPUs and the GC.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			s := Scope{Input: map[string]any{"x": float64(i)}, Vars: map[string]any{"n": float64(i)}}
			r, err := e.RunScript(ctx, "vars.n += 1; return {a: input.x + 1, s: 'ab'.repeat(2), j: [1, 2].join('-')}", s)
			want := map[string]any{"a": float64(i + 1), "s": "abab", "j": "1-2"}
			if err != nil || !reflect.DeepEqual(r.Value, want) || r.Vars["n"] != float64(i+1) {
				mu.Lock()
				fails = append(fails, "script: "+errString(err))
				mu.Unlock()
			}
			ok, err := e.Condition(ctx, "input.x >= 0 && typeof foo === 'undefined' && ({}).polluted === undefined", s)
			if err != nil || !ok {
				mu.Lock()
				fails = append(fails, "condition: "+errString(err))
				mu.Unlock()
			}
			n.Add(1)
		}
	}()
	return func() (int64, []string) {
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		return n.Load(), fails
	}
}

func errString(err error) string {
	if err == nil {
		return "wrong result"
	}
	return err.Error()
}

// TestHostileCorpus runs hostile scripts one after another while another
// goroutine keeps doing correct cheap runs on the same engine. Every hostile
// run must end with the expected kind of error, the engine must stay usable,
// and the cheap runs must all stay correct. Nothing here depends on how fast
// the machine is: scripts that can only end at the deadline get a short
// one, scripts that a guard must stop get a long one, so a slow or busy
// machine cannot turn a limit into a timeout.
func TestHostileCorpus(t *testing.T) {
	// short ends scripts that only the deadline can stop.
	short := New(Options{Timeout: 200 * time.Millisecond})
	// long gives guarded scripts all the time they need to hit the guard.
	long := New(Options{Timeout: time.Minute})
	// big builds long strings with a few doublings (fast even under -race).
	const big = "const big = n => { let s = 'x'; while (s.length < n) s += s; return s.slice(0, n); };\n"
	limitOrTimeout := []ErrorKind{KindLimit, KindTimeout}
	corpus := []struct {
		name  string
		code  string
		kinds []ErrorKind
	}{
		{"infinite loop", "while(true){}", []ErrorKind{KindTimeout}},
		{"catching the interrupt", "for(;;){ try { while(true){} } catch(e){} }", []ErrorKind{KindTimeout}},
		{"finally loop", "for(;;){ try { while(true){} } finally { continue; } }", []ErrorKind{KindTimeout}},
		{"deep recursion", "function f(){return f()} f()", []ErrorKind{KindLimit}},
		{"recursion caught", "function f(){ try { return f() } catch (e) { return f() } } f()", limitOrTimeout},
		{"repeat", "'x'.repeat(1e12)", []ErrorKind{KindLimit}},
		{"repeat caught", "for(;;) { try { 'x'.repeat(1e12) } catch (e) {} }", []ErrorKind{KindLimit}},
		{"new Array", "new Array(1e12)", []ErrorKind{KindLimit}},
		{"Array call", "Array(1e9)", []ErrorKind{KindLimit}},
		{"fill", "Array(1e9).fill(0)", []ErrorKind{KindLimit}},
		{"fill via length", "const a = []; a.length = 1e9; a.fill(0)", []ErrorKind{KindLimit}},
		{"spread sparse", "const a = []; a.length = 1e9; return [...a]", []ErrorKind{KindLimit}},
		{"toSorted sparse", "const a = []; a.length = 4e9 - 1; a.toSorted()", []ErrorKind{KindLimit}},
		{"join sparse", "const a = []; a.length = 4e9; a.join('x')", []ErrorKind{KindLimit}},
		{"join amplification", big + "Array(100).fill(big(1e7)).join('')", limitOrTimeout},
		{"nested join", "let a = []; for (let i = 0; i < 2000; i++) a = [a]; String(a)", []ErrorKind{KindLimit}},
		{"Array.from", "Array.from({length: 1e9})", []ErrorKind{KindLimit}},
		{"apply", "Math.max.apply(null, {length: 1e9})", []ErrorKind{KindLimit}},
		{"string doubling", "let s = 'x'; while (true) s += s;", limitOrTimeout},
		{"string append", big + "const s = big(1e6); let t = ''; while (true) t = t + s;", limitOrTimeout},
		{"JSON.stringify huge", "let o = {a: 1}; for (let i = 0; i < 40; i++) o = {a: o, b: o}; JSON.stringify(o)", limitOrTimeout},
		{"JSON.stringify deep", "let o = {}; for (let i = 0; i < 5000; i++) o = {a: o}; JSON.stringify(o)", []ErrorKind{KindLimit}},
		{"JSON.parse deep", "JSON.parse('['.repeat(1e6) + ']'.repeat(1e6))", []ErrorKind{KindLimit}},
		{"padEnd", "'x'.padEnd(1e12)", []ErrorKind{KindLimit}},
		{"padStart", "'x'.padStart(1e12, 'ab')", []ErrorKind{KindLimit}},
		{"concat", big + "const s = big(1e7); s.concat(s, s)", limitOrTimeout},
		{"replaceAll", big + "big(1e7).replaceAll('x', 'x'.repeat(100))", limitOrTimeout},
		{"replace regexp", big + "big(1e7).replace(/x/g, 'yy')", limitOrTimeout},
		{"replace prefix", big + "big(1e5).replace(/x/g, '$`')", limitOrTimeout},
		{"replace long string", big + "let s = big(1 << 24); s += s; s.replace(/x/g, '')", limitOrTimeout},
		{"match many", big + "big(1e7).match(/x/g)", limitOrTimeout},
		{"matchAll spread", big + "[...big(1e7).matchAll(/x/g)]", limitOrTimeout},
		{"split many", big + "big(1e7).split('')", limitOrTimeout},
		{"split regexp", big + "big(1e7).split(/x/)", limitOrTimeout},
		{"string spread", big + "[...big(1e7)]", limitOrTimeout},
		{"push loop", "const a = []; while (true) a.push(1, 2, 3, 4, 5, 6, 7, 8)", limitOrTimeout},
		{"push big strings", big + "const s = big(1 << 23); const a = []; while (true) a.push(s + s)", limitOrTimeout},
		{"object growth", "const o = {}; for (let i = 0; ; i++) o['k' + i] = i", limitOrTimeout},
		{"promise loop", "function f() { Promise.resolve().then(f) } f()", []ErrorKind{KindTimeout}},
		{"generator spread", "function* g() { while (true) yield 1 } [...g()]", limitOrTimeout},
		{"bind chain", "let f = function(){}; for (;;) f = f.bind(null)", limitOrTimeout},
		{"throwing toString", "throw {toString() { while (true) {} }}", []ErrorKind{KindRuntime, KindTimeout}},
		{"huge result", big + "return Array(1000).fill(big(20000))", limitOrTimeout},
		{"huge string result", big + "return big(1.6e7) + big(1e6)", limitOrTimeout},
		{"huge template text", big + "return [1].map(() => big(1.6e7) + big(1e6))", limitOrTimeout},
		{"getter loop in result", "return {get x() { while (true) {} }}", []ErrorKind{KindTimeout}},
		{"prototype tampering", "Object.prototype.toString = null", []ErrorKind{KindRuntime}},
		{"global tampering", "globalThis.JSON = null", []ErrorKind{KindRuntime}},
	}

	stop := make(chan struct{})
	// The cheap runs share long's pool with the guarded runs; on short, whose
	// 200 ms deadline is the run's own, a busy machine (race detector, busy
	// loops, hostile runs filling the heap) could time a correct run out.
	wait := cheapRunner(t, long, stop)
	for _, tc := range corpus {
		t.Run(tc.name, func(t *testing.T) {
			e := long
			if slices.Contains(tc.kinds, KindTimeout) {
				e = short
			}
			_, err := e.RunScript(context.Background(), tc.code, Scope{})
			if err == nil {
				t.Fatal("no error")
			}
			ee := asError(t, err)
			if !slices.Contains(tc.kinds, ee.Kind) {
				t.Errorf("kind %s (%v), want one of %v", ee.Kind, err, tc.kinds)
			}
			// The engine keeps working after the run was stopped (with a
			// deadline of its own, however busy the machine).
			// On short a trivial run may still miss its 200 ms on a busy machine:
			// a timeout is retried (an engine left broken fails every time).
			next, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			var v any
			for try := 0; try < 5; try++ {
				if v, err = e.Eval(next, "[1, 2].map(x => x + 1).join()", Scope{}); !isTimeout(err) {
					break
				}
			}
			if err != nil || v != "2,3" {
				t.Errorf("next run: %v %v", v, err)
			}
		})
	}
	close(stop)
	runs, fails := wait()
	if len(fails) > 0 {
		t.Errorf("%d of %d concurrent cheap runs failed, first: %s", len(fails), runs, fails[0])
	}
	if runs == 0 {
		t.Error("no concurrent cheap runs happened")
	}
	// After all of that, a plain run still sees pristine built-ins.
	next, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var v any
	var err error
	for try := 0; try < 5; try++ { // a timeout on a busy machine is retried, as above
		if v, err = short.Eval(next, "[({}).toString(), JSON.stringify({a: [1]}), typeof globalThis.JSON]", Scope{}); !isTimeout(err) {
			break
		}
	}
	if err != nil || !reflect.DeepEqual(v, []any{"[object Object]", `{"a":[1]}`, "object"}) {
		t.Fatalf("after corpus: %v %v", v, err)
	}
}

// TestInterruptIsUncatchable checks that a script cannot swallow the
// timeout: neither catch nor finally blocks run.
func TestInterruptIsUncatchable(t *testing.T) {
	e := New(Options{Timeout: 100 * time.Millisecond})
	_, err := e.RunScript(context.Background(), `
		for (;;) {
			try { while (true) {} }
			catch (e) { console.log('caught', String(e)); }
			finally { console.log('finally'); }
		}`, Scope{})
	ee := asError(t, err)
	if ee.Kind != KindTimeout || len(ee.Logs) != 0 {
		t.Fatalf("err = %v, logs = %+v", err, ee.Logs)
	}
}

// TestMemoryMonitor checks that the heap monitor, not the (generous)
// deadline, stops a string-doubling script.
func TestMemoryMonitor(t *testing.T) {
	e := New(Options{Timeout: time.Minute, MaxMemory: 64 << 20})
	_, err := e.RunScript(context.Background(), "let s = 'x'; const keep = []; while (true) { s += s; keep.push(s); }", Scope{})
	if !errors.Is(err, ErrLimit) {
		t.Fatalf("err = %v", err)
	}
	if v, err := e.Eval(context.Background(), "'ok'", Scope{}); err != nil || v != "ok" {
		t.Fatalf("next run: %v %v", v, err)
	}
}

// TestNoLeakBetweenRuns uses a single pooled runtime so every run reuses
// the runtime of the previous one.
func TestNoLeakBetweenRuns(t *testing.T) {
	e := New(Options{PoolSize: 1})
	ctx := context.Background()
	steps := []struct {
		code    string
		wantErr bool
		want    any
	}{
		{"globalThis.foo = 1", true, nil},
		{"return typeof foo", false, "undefined"},
		{"x = 1", true, nil},
		{"return typeof x", false, "undefined"},
		{"Function('this.leak = 1; leak2 = 2')(); return typeof leak", false, "undefined"},
		{"return typeof leak2", false, "undefined"},
		{"(0, eval)('var leaked = 1')", true, nil},
		{"return typeof leaked", false, "undefined"},
		{"Object.prototype.polluted = 1", true, nil},
		{"Function('Object.prototype.polluted2 = 1')(); return ({}).polluted2", false, nil},
		{"return [({}).polluted, ({}).polluted2]", false, []any{nil, nil}},
		{"Array.prototype.map = null", true, nil},
		{"return [1, 2].map(x => x * 2)", false, []any{2.0, 4.0}},
		{"JSON.parse = () => 'hacked'", true, nil},
		{"return JSON.parse('2')", false, 2.0},
		{"Object.defineProperty(Object.prototype, 'y', {get() { return 1 }})", true, nil},
		{"delete Array.prototype.push", true, nil},
		{"Object.setPrototypeOf(Array.prototype, null)", true, nil},
		{"Object.getPrototypeOf([][Symbol.iterator]()).next = () => ({done: true})", true, nil},
		{"console.log = null", true, nil},
		{"Math.random = () => 4", true, nil},
		{"return [[...[1, 2]].length, typeof Math.random(), typeof console.log, 'y' in {}]", false, []any{2.0, "number", "function", false}},
		{"Array.prototype[Symbol.iterator] = function* () {}", true, nil},
		{"return Object.isFrozen(globalThis) && Object.isFrozen(Object.prototype) && Object.isFrozen(Object.getPrototypeOf(function* () {}).prototype)", false, true},
		{"Symbol.prototype.description = 1", true, nil},
		{"String.prototype.trim = null", true, nil},
		{"return ' a '.trim()", false, "a"},
	}
	for i, step := range steps {
		r, err := e.RunScript(ctx, step.code, Scope{})
		if (err != nil) != step.wantErr {
			t.Fatalf("step %d %q: err = %v", i, step.code, err)
		}
		if err == nil && !reflect.DeepEqual(r.Value, step.want) {
			t.Fatalf("step %d %q: got %#v, want %#v", i, step.code, r.Value, step.want)
		}
	}
}

// TestHostAccess checks that nothing of the host is reachable.
func TestHostAccess(t *testing.T) {
	e := New(Options{})
	ctx := context.Background()
	std := `['Object','Function','Array','String','Number','BigInt','RegExp','Date','Boolean','Proxy','Reflect','Error',
		'AggregateError','TypeError','ReferenceError','SyntaxError','RangeError','EvalError','URIError','eval','Math','JSON',
		'Symbol','WeakSet','WeakMap','Map','Set','Promise','globalThis','NaN','undefined','Infinity','isNaN','parseInt',
		'parseFloat','isFinite','decodeURI','decodeURIComponent','encodeURI','encodeURIComponent','escape','unescape','console']`
	tests := []struct {
		expr string
		want any
	}{
		{"typeof require", "undefined"},
		{"typeof process", "undefined"},
		{"typeof module + typeof exports + typeof __dirname", "undefinedundefinedundefined"},
		{"typeof GoError", "undefined"},
		{"typeof ArrayBuffer + typeof Uint8Array", "undefinedundefined"},
		{"this.constructor.constructor('return this')() === globalThis", true},
		{"Function('return this')() === globalThis", true},
		{"Object.getOwnPropertyNames(globalThis).filter(k => !" + std + ".includes(k))", []any{}},
		{"Object.getOwnPropertyNames(console).sort()", []any{"debug", "error", "info", "log", "warn"}},
		{"Object.getOwnPropertyNames(console.log).sort()", []any{"length", "name"}},
		{"Object.getPrototypeOf(console.log) === Function.prototype", true},
		{"console.log.constructor('return typeof require')()", "undefined"},
		{"Object.getOwnPropertyNames(input).concat(Object.getOwnPropertySymbols(input).map(String))", []any{"a"}},
		{"Object.getPrototypeOf(input) === Object.prototype", true},
		{"Function('return typeof arguments.callee.caller')()", "undefined"},
		{"(function () { return typeof this })()", "undefined"},
		{"Function('//# sourceMappingURL=/etc/passwd\\nreturn 1')()", 1.0},
		{"eval('//# sourceMappingURL=/etc/hostname\\n2')", 2.0},
		{"new Error('x').stack.includes('.go')", false},
		{"[].constructor === Array && Array.prototype.constructor === Array", true},
	}
	for _, tc := range tests {
		got, err := e.Eval(ctx, tc.expr, Scope{Input: map[string]any{"a": 1}})
		if err != nil {
			t.Errorf("%s: %v", tc.expr, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s = %#v, want %#v", tc.expr, got, tc.want)
		}
	}
}

// TestConcurrentRuns checks that parallel runs with different scopes never
// see each other's data.
func TestConcurrentRuns(t *testing.T) {
	e := New(Options{PoolSize: 2})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				id := float64(g*1000 + i)
				s := Scope{Input: map[string]any{"id": id}, Vars: map[string]any{"seen": []any{}}}
				r, err := e.RunScript(context.Background(), "vars.seen.push(input.id); vars.mine = input.id; return input.id * 2", s)
				if err != nil {
					errs <- err
					return
				}
				if r.Value != id*2 || r.Vars["mine"] != id || len(r.Vars["seen"].([]any)) != 1 {
					errs <- errors.New("cross-talk between runs")
					return
				}
				v, err := e.Render(context.Background(), "{{ input.id }}-{{ input.id + 1 }}", s)
				if err != nil || v != formatID(id) {
					errs <- errors.New("render mismatch")
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func formatID(id float64) string {
	a := int(id)
	return itoa(a) + "-" + itoa(a+1)
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

// TestTotalMemoryBudget runs many memory-hungry scripts at once. Each stays
// under the per-run budget when it starts growing, so only the sandbox-wide
// budget (and the cap on concurrent runs) keeps the process from growing
// without bound: every run must end with a limit error, none by its
// deadline, and the process must survive.
func TestTotalMemoryBudget(t *testing.T) {
	e := New(Options{Timeout: time.Minute, MaxMemory: 1 << 40, MaxTotalMemory: 128 << 20})
	const n = 24 // three times the default MaxConcurrentRuns on 2 CPUs
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.RunScript(context.Background(), "let s = 'x'; const keep = []; while (true) { s += s; keep.push(s); }", Scope{})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if ee := asError(t, err); ee.Kind != KindLimit {
			t.Errorf("err = %v", err)
		}
	}
	if v, err := e.Eval(context.Background(), "'ok'", Scope{}); err != nil || v != "ok" {
		t.Fatalf("next run: %v %v", v, err)
	}
}

// TestMaxConcurrentRuns checks that runs beyond MaxConcurrentRuns wait for a
// slot under their context.
func TestMaxConcurrentRuns(t *testing.T) {
	e := New(Options{MaxConcurrentRuns: 2, Timeout: time.Minute})
	release, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.RunScript(release, "while (true) {}", Scope{})
			if !errors.Is(err, ErrCanceled) {
				t.Errorf("busy run: %v", err)
			}
		}()
	}
	waitFor(t, func() bool { return len(e.slots) == 2 })
	ctx, stop := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer stop()
	if _, err := e.Eval(ctx, "1", Scope{}); !errors.Is(err, ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("third run: %v", err)
	}
	cancel()
	wg.Wait()
	if v, err := e.Eval(context.Background(), "1 + 1", Scope{}); err != nil || v != 2.0 {
		t.Fatalf("after: %v %v", v, err)
	}
	if len(e.slots) != 0 {
		t.Fatalf("%d slots still taken", len(e.slots))
	}
}

// waitFor polls cond until it holds, failing the test after a generous
// deadline.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(time.Millisecond)
	}
}

// isTimeout tells whether err is a run stopped at its deadline.
func isTimeout(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == KindTimeout
}
