// Package jsparse is a copy of github.com/dop251/goja/parser (the version
// pinned in go.mod, see LICENSE) with one addition: limits on how deeply the
// recursive-descent parser may nest and on the work nesting costs it
// (Limits, WithLimits, DepthError).
//
// goja's parser recurses once per syntactic nesting level and keeps parsing
// after syntax errors (its error recovery skips tokens and resumes inside the
// frames that were open), so deeply nested or crafted input can grow the
// goroutine stack until the Go runtime aborts the whole process with "fatal
// error: stack overflow". A lexical pre-scan cannot bound this reliably,
// because after an error goja re-tokenizes template text and regular
// expression bodies as code. Some of its work also grows with the square of
// the nesting (end positions of nested arrow functions are recomputed per
// level). This copy stops with a DepthError instead.
//
// Changes to the upstream files, and nothing else:
//   - the package name;
//   - every method of the parser that can take part in a recursion (the
//     strongly connected components of its call graph: 76 methods) starts
//     with `defer self.leave(self.enter())`, except parseAssignmentExpression,
//     parseUnaryExpression and parseStatement, which start with
//     `defer self.leaveLevel(self.enterLevel())`;
//   - parser.go: the limits option, the depth, levels and work fields,
//     enter/leave, enterLevel/leaveLevel, Limits, WithLimits, DepthError,
//     and a recover in parse().
//
// It produces goja's own ast types, so its output goes straight to
// goja.CompileAST, and it parses exactly like goja's parser up to the limit:
// code accepted here makes goja's own parser (used for eval and Function at
// run time) recurse no deeper. Keep it in sync when goja is upgraded
// (TestParserCopyMatchesGoja compares both).
package jsparse
