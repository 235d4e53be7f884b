// Package scripting runs the user-written JavaScript of flowcraft workflow
// definitions: script nodes (RunScript), gateway conditions (Condition),
// loop items and other expressions (Eval) and "{{ }}" parameters (Render,
// RenderValue). It is built on github.com/dop251/goja.
//
// # Model
//
// Every piece of user code is compiled once (LRU cache keyed by source, see
// Options.CacheSize) into a strict-mode function whose parameters are the
// scope names input, trigger, vars, nodes, instance, item and index:
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
// Strict mode means assigning an undeclared variable is a ReferenceError and
// writes to frozen built-ins throw a TypeError. Converting scope data costs
// time proportional to its size on every run that uses that name
// (RenderValue converts once for all strings of a call), so very large
// inputs dominate the per-run cost.
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
//     since the run was registered, interrupts the oldest such run.
//   - Result export checks MaxOutputSize, MaxArrayLen and a nesting depth
//     of 1000.
//
// # Memory guard: what it cannot do
//
//   - Go cannot attribute heap usage to a goroutine, so the monitor is
//     process-wide: a long run (older than 5ms) that happens to overlap a
//     memory bomb, or heavy allocation by the host process itself, can be
//     interrupted instead of, or before, the culprit. The heap can overshoot
//     MaxMemory by the size of the allocations made between two samples
//     (one string doubling can allocate as much as everything before it),
//     so the real ceiling is a small multiple of MaxMemory.
//   - String concatenation with + cannot be hooked in goja; strings built
//     that way are bounded only by the monitor and the deadline, not by
//     MaxStringLen.
//   - Built-ins whose output is at most a small constant factor larger
//     than their input (split, toUpperCase, encodeURIComponent, slice,
//     Object.keys, …) are not guarded. Arrays whose length exceeds
//     MaxArrayLen can still exist (a.length = 1e9 creates a sparse array)
//     but no guarded built-in will walk them.
//   - CPU-heavy native calls are not interruptible: a regular expression
//     with catastrophic backtracking (goja falls back to a backtracking
//     engine for patterns with look-around or back-references) runs to
//     completion, past the deadline; so does one call of a native
//     built-in over MaxArrayLen elements or MaxStringLen characters
//     (milliseconds to a second).
//   - Spreading or Array.from over non-array iterables built by native
//     code (Map, Set, matchAll, generators) materializes them in one
//     native loop; for Map and Set the size was built by interruptible JS,
//     matchAll on long strings is counted first, generators run JS per
//     element.
//   - Directly calling RegExp.prototype[Symbol.replace] bypasses the
//     replace guard.
package scripting
