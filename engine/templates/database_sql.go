package templates

import (
	"fmt"
	"strings"
)

// oneStatement returns an error when sql holds more than one SQL statement: a
// database-handler runs exactly one. It follows SQLite's lexical rules, so a
// semicolon inside a string literal, a quoted identifier ("x", `x`, [x]), a
// comment (-- or /* */) or the body of a CREATE TRIGGER (up to its END) does not
// end the statement; trailing semicolons, spaces and comments are allowed.
func oneStatement(sql string) error {
	var (
		statements int      // statements ended so far
		tokens     int      // tokens of the current statement
		head       []string // its first three words, upper case, to spot CREATE TRIGGER
		prev       string   // the previous token
		cases      int      // open CASE expressions inside a trigger body
		trigger    bool     // the current statement is a CREATE TRIGGER
	)
	for i := 0; i < len(sql); {
		c, start := sql[i], i
		var tok string
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
			continue
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
			continue
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			if end := strings.Index(sql[i+2:], "*/"); end >= 0 {
				i += 2 + end + 2
			} else {
				i = len(sql)
			}
			continue
		case c == '\'' || c == '"' || c == '`':
			// A doubled quote inside is the quote itself.
			j := i + 1
			for j < len(sql) {
				if sql[j] == c {
					if j+1 < len(sql) && sql[j+1] == c {
						j += 2
						continue
					}
					break
				}
				j++
			}
			tok, i = "'", min(j+1, len(sql))
		case c == '[':
			j := strings.IndexByte(sql[i:], ']')
			if j < 0 {
				j = len(sql) - i - 1
			}
			tok, i = "[", i+j+1
		case c == ';':
			i++
			if tokens == 0 {
				continue // an empty statement
			}
			if trigger && !(prev == "END" && cases == 0) {
				prev = ";"
				continue // inside the trigger's body
			}
			statements++
			tokens, head, prev, cases, trigger = 0, nil, ";", 0, false
			continue
		case isWordByte(c):
			j := i
			for j < len(sql) && isWordByte(sql[j]) {
				j++
			}
			tok, i = strings.ToUpper(sql[i:j]), j
		default:
			tok, i = string(c), i+1
		}
		if statements > 0 && tokens == 0 {
			rest := sql[start:]
			if r := []rune(rest); len(r) > 30 {
				rest = string(r[:30]) + "…"
			}
			return fmt.Errorf("sql must be a single statement, but another one follows the ';' (%q); put each statement in its own task", rest)
		}
		tokens++
		if len(head) < 3 {
			head = append(head, tok)
			trigger = len(head) >= 2 && head[0] == "CREATE" && (head[1] == "TRIGGER" ||
				(len(head) == 3 && (head[1] == "TEMP" || head[1] == "TEMPORARY") && head[2] == "TRIGGER"))
		}
		if trigger {
			switch {
			case tok == "CASE":
				cases++
			case tok == "END" && cases > 0:
				cases--
				tok = "END CASE" // not the END of the trigger
			}
		}
		prev = tok
	}
	return nil
}

// isWordByte reports whether c may be part of an SQL word (keyword, identifier,
// number or parameter name). Bytes of multi-byte UTF-8 characters count as letters,
// as in SQLite.
func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}
