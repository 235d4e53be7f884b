// Package scripting runs the user-written JavaScript of flowcraft workflow
// definitions: script nodes (RunScript), gateway conditions (Condition),
// loop items and other expressions (Eval) and "{{ }}" parameters (Render,
// RenderValue). It is built on github.com/dop251/goja.
//
// # Model
//
// Every piece of user code is compiled once (LRU cache keyed by source, see
// Options.CacheSize; at most 32 MiB of source is kept) into a strict-mode
// function whose parameters are the scope names input, trigger, vars,
// nodes, instance, item and index:
//
//	script:     (function(input,…,index){"use strict";{ CODE \n}})
//	expression: (function(input,…,index){"use strict";return ( EXPR \n)})
//
// The wrapper is checked on the AST so user text cannot close it early;
// positions in errors and Problems are translated back to the user's text
// (1-based lines, columns in Unicode code points). Runtimes come from a
// bounded pool; each keeps a function instance per program, so a cached
// run is a single call. Only the scope names a program mentions (found by
// a conservative scan of the source) are converted to JS, each into plain
// JS objects and arrays (never wrappers around Go values). item and index
// are undefined unless Scope.InLoop.
//
// Interpolated templates compile to one such function that concatenates
// their parts as a balanced tree of + operations.
//
// Strict mode means assigning an undeclared variable is a ReferenceError and
// writes to frozen built-ins throw a TypeError. Converting scope data costs
// time proportional to its size on every run that uses that name
// (RenderValue converts once for all strings of a call), so very large
// inputs dominate the per-run cost.
//
// # Source limits
//
// goja's parser and compiler recurse once per nesting level of the code
// (deep enough code overflows the Go stack, which kills the process) and
// part of their work grows with the square of the nesting. So before goja
// parses or compiles anything:
//
//   - code longer than Options.MaxSourceSize (default 1 MiB) is refused;
//   - code is parsed by internal/jsparse, a copy of goja's parser with
//     limits: at most 32 nested parse calls and 2 parser levels per allowed
//     nesting level, and at most 8 units of parse work per byte (4 Mi
//     minimum). goja's parser keeps parsing after syntax errors and its
//     error recovery re-reads template text and regular expressions as
//     code, so no lexical pre-scan can bound it;
//   - the syntax tree may be at most Options.MaxNesting (default 512)
//     levels deep, its compile work (the sum of the nodes' depths) at most
//     48 per node (4 Mi minimum), regular expression literals may nest
//     groups at most MaxNesting deep;
//   - a template may have at most 10,000 {{ }} expressions (each is parsed
//     on its own).
//
// Real code stays far below these (jQuery, Ace, highlight.js: trees at most
// 51 deep, 64 parser levels, 3 units of parse and 19 of compile work per
// byte and node). Refused code gives an error of kind "limit" (a Problem
// from the Check* methods) with the position where the limit was hit.
//
// Source and patterns built at run time get the same checks, with an
// uncatchable limit error: eval, Function and the hidden constructors of
// async and generator functions (reachable as
// Object.getPrototypeOf(async function(){}).constructor), RegExp (also
// through Symbol.species), RegExp.prototype.compile, and the string
// patterns of String.prototype.match, matchAll and search. Their arguments
// are converted to strings once, so the checked text is the compiled text.
// eval is the sandbox's wrapper; it is also what goja recognises as the eval
// intrinsic, so direct eval (eval(x) seeing the caller's variables) keeps
// working: every direct eval call in code goja compiles is rewritten to
// eval(...eval.__flowcraftEvalArgs(x)), which passes the source through the
// checks.
//
// # Isolation between runs
//
// A runtime is hardened once when created: every object reachable from the
// global object (the global object itself, all constructors, prototypes,
// namespaces such as JSON and Math, and hidden intrinsics such as the
// iterator and generator prototypes) is deeply frozen. A run therefore
// cannot create globals (globalThis.x = 1 and x = 1 throw) or change
// built-ins (Object.prototype.polluted = 1, Array.prototype.map = null,
// JSON.parse = … throw a TypeError), so nothing leaks to later runs or to
// other instances. Inherited properties that code commonly assigns on its
// own objects (toString, valueOf, constructor, … on Object.prototype; name,
// message, toString on the Error prototypes; toString on Function.prototype)
// are turned into accessors whose setter defines an own property on the
// target object, so `this.name = 'MyError'` and `obj.toString = f` keep
// working (the "override mistake" of frozen prototypes). Function instances
// of programs are not reachable from user code (strict mode, no
// arguments.callee). Runtimes interrupted by a timeout or limit are
// discarded rather than reused, and every runtime is replaced after
// 10 000 runs.
//
// # Host access
//
// The sandbox only has the ECMAScript built-ins plus console.log, info,
// warn, error and debug (captured into Result.Logs / Error.Logs, at most
// Options.MaxLogEntries entries of at most 4 KiB each). There is no require,
// process, module loading, file, network or environment access. goja's
// GoError and the binary-data constructors (ArrayBuffer, DataView, typed
// arrays) are removed. Source-map comments (which goja would otherwise
// resolve by reading files) are disabled, also for eval and Function.
// Values enter as plain JS data and leave with JSON semantics.
//
// # Results
//
// Results, vars and typed templates are exported like JSON.stringify would:
// undefined becomes nil at the top level and is dropped from objects (null
// in arrays), functions and symbols are dropped, toJSON is honoured (a Date
// becomes its ISO string), NaN and ±Infinity become nil, Map/Set become
// empty objects, BigInt and cycles are errors. All numbers are float64
// (like encoding/json; integers beyond 2^53 lose precision); objects are
// map[string]any and arrays []any. The approximate JSON size of a result,
// and of vars, is limited by Options.MaxOutputSize. Result.Vars is the
// caller's map when the run left vars unchanged (VarsChanged false) and a
// new map otherwise; reassigning the vars parameter itself has no effect.
//
// Interpolated templates convert each {{ }} value to text: strings as is,
// null/undefined as "", other primitives with JS ToString, objects and
// arrays as JSON (an object whose JSON is a string, e.g. a Date, gives that
// string).
//
// # Time limits
//
// Each run has a deadline: the context's, or Options.Timeout when the
// context has none. A timer (and context.AfterFunc for cancellation) calls
// goja's Runtime.Interrupt; the resulting error cannot be caught by
// try/catch in the script. goja checks for interrupts between VM
// instructions only, so time spent inside one native built-in call is not
// interruptible; the guards below keep such calls bounded. The call depth is
// limited by Options.MaxCallStack.
//
// Regular expressions: goja uses Go's regexp (linear time) where it can and
// the backtracking engine regexp2 for back-references and look-around, and
// also for other patterns matched from lastIndex > 0 or globally over
// non-ASCII text. Before goja runs a match with regexp2 (in exec, test,
// match, matchAll, replace, replaceAll, search or split), the sandbox runs
// the same match with its own regexp2 compile and a timeout of half the time
// left (regexp2's clock adds up to 0.2s); if that times out, the run stops
// with the timeout error, otherwise goja's match runs as usual, so results
// are unchanged and such matches cost about twice their time. Matches run
// by Go's regexp cost nothing extra.
//
// At most Options.MaxConcurrentRuns (default 4*GOMAXPROCS) runs execute at
// once; further runs wait for a slot until their context is done (a
// RenderValue call holds one slot for all its templates).
//
// # Memory guard: what it covers
//
// Guards run before allocating, and fail the run with an uncatchable error
// of kind "limit":
//
//   - String.prototype.repeat, padStart, padEnd, concat: the result length
//     (in UTF-16 code units, the JS length; up to 2 bytes per unit) may not
//     exceed Options.MaxStringLen.
//   - String.prototype.replace, replaceAll, match, matchAll and split
//     refuse receivers longer than MaxStringLen; on receivers longer than
//     MaxArrayLen the matches are first counted one at a time
//     (interruptibly) and more than MaxArrayLen fail. With a string
//     replacement, when a cheap bound of the result length is too large, the
//     replacement is applied by a native GetSubstitution that accounts the
//     result length match by match. Spreading or iterating a string longer
//     than MaxArrayLen fails.
//   - Array: Array(n) / new Array(n) with n > Options.MaxArrayLen; every
//     Array.prototype method except push, pop and at refuses a receiver
//     whose length exceeds MaxArrayLen (this covers fill, join, the
//     iterator behind spread and for-of, map, sort, toSorted, …);
//     Array.prototype.concat checks the combined length; Array.from,
//     String.raw, Function.prototype.apply, Reflect.apply and
//     Reflect.construct check the length of their array-like argument.
//   - Array.prototype.join (and so toString and String(array)) is
//     reimplemented: it accounts the result length against MaxStringLen,
//     joins cyclic references as "" and limits nesting to 1000.
//   - JSON.stringify serializes through an accounting replacer (user
//     replacers still work): output size beyond MaxStringLen or nesting
//     deeper than 1000 fails, which also stops exponential expansion of
//     shared sub-objects. JSON.parse rejects texts nested deeper than 1000.
//   - Growth that happens in many small steps between VM instructions —
//     doubling a string with s += s, push loops, building huge objects —
//     is caught by the deadline and by a heap monitor: a run still going
//     after 5ms is registered with a process-wide monitor that samples
//     runtime/metrics /memory/classes/heap/objects:bytes every 2ms and, when
//     the heap has grown by more than Options.MaxMemory (default 256 MiB)
//     since the run was registered, interrupts the oldest such run. Many
//     runs growing together are capped by Options.MaxTotalMemory (default
//     512 MiB): when the heap is that much above its lowest level of the
//     last 10-20 seconds, the monitor interrupts the oldest runs, one plus
//     one per quarter budget of excess, and starts a GC once a victim has
//     ended so its garbage is not held against the others.
//   - Result export checks MaxOutputSize, MaxArrayLen and a nesting depth
//     of 1000.
//
// # Memory guard: what it cannot do
//
//   - Go cannot attribute heap usage to a goroutine, so the monitor is
//     process-wide: a long run (older than 5ms) that happens to overlap a
//     memory bomb, or heavy allocation by the host process itself, can be
//     interrupted instead of, or before, the culprit. The heap can overshoot
//     MaxMemory and MaxTotalMemory by the allocations made before an
//     interrupted run reaches its next instruction (one string doubling can
//     allocate as much as everything before it) and while the monitor waits
//     for a CPU, so the real ceiling is a multiple of the budgets: 40
//     string-doubling runs against a 128 MiB MaxTotalMemory peaked at
//     0.6-2 GiB of heap on a 2-core machine running at load 20 (before the
//     total budget, 120 such runs reached 2.85 GB).
//   - String concatenation with + cannot be hooked in goja; strings built
//     that way are bounded only by the monitor and the deadline, not by
//     MaxStringLen.
//   - Built-ins whose output is at most a small constant factor larger
//     than their input (split, toUpperCase, encodeURIComponent, slice,
//     Object.keys, …) are not guarded. Arrays whose length exceeds
//     MaxArrayLen can still exist (a.length = 1e9 creates a sparse array)
//     but no guarded built-in will walk them.
//   - CPU-heavy native calls are not interruptible: one call of a native
//     built-in over MaxArrayLen elements or MaxStringLen characters runs to
//     completion (milliseconds to a second), and so does a match by Go's
//     regexp, which is linear in the text but also in the size of the
//     compiled pattern: a pattern with large counted repetitions over a
//     long text can take seconds or more ((?:a|aa|…){1000}x over 100 KB:
//     27s).
//   - Spreading or Array.from over non-array iterables built by native
//     code (Map, Set, matchAll, generators) materializes them in one
//     native loop; for Map and Set the size was built by interruptible JS,
//     matchAll on long strings is counted first, generators run JS per
//     element.
//   - Directly calling RegExp.prototype[Symbol.replace] bypasses the
//     replace guard.
package scripting
