// Package jsondepth measures how deep a JSON text nests, without decoding it, so that
// API surfaces can refuse a hostile body before the decoder recurses into it.
package jsondepth

// Exceeds reports whether the JSON text nests objects and arrays deeper than max
// (brackets inside strings do not count). It reads the text once and allocates
// nothing; malformed text is left for the decoder to refuse.
func Exceeds(body []byte, max int) bool {
	depth, inString, escaped := 0, false, false
	for _, b := range body {
		switch {
		case escaped:
			escaped = false
		case inString:
			switch b {
			case '\\':
				escaped = true
			case '"':
				inString = false
			}
		case b == '"':
			inString = true
		case b == '{' || b == '[':
			depth++
			if depth > max {
				return true
			}
		case b == '}' || b == ']':
			depth--
		}
	}
	return false
}
