package sqlite

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// paramsJSON is the JSON text of a runtime's resolved parameters (column task),
// byte for byte what json.Marshal writes, at a fraction of its allocations: the
// values parameters hold (strings, numbers, booleans, null, and objects and
// arrays of them, as decoded from JSON or rendered by {{ }}) are written here into
// one buffer; other Go values go through json.Marshal.
func paramsJSON(params map[string]any) (string, error) {
	var keyArr [16]string
	keys := keyArr[:0]
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	// The top level is written into a buffer on the stack; nested values (recursive,
	// so their buffer escapes) into one on the heap, made when first needed.
	var bufArr [512]byte
	buf := append(bufArr[:0], '{')
	var nested []byte
	for i, k := range keys {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendJSONString(buf, k)
		buf = append(buf, ':')
		v := params[k]
		if b, ok := appendJSONScalar(buf, v); ok {
			buf = b
			continue
		}
		var err error
		if nested, err = appendJSONValue(nested[:0], v, 1); err != nil {
			return "", err
		}
		buf = append(buf, nested...)
	}
	buf = append(buf, '}')
	return string(buf), nil
}

// appendJSONScalar appends a string, number, boolean or null as json.Marshal
// writes it; ok is false for any other value.
func appendJSONScalar(buf []byte, v any) (_ []byte, ok bool) {
	switch x := v.(type) {
	case nil:
		return append(buf, "null"...), true
	case string:
		return appendJSONString(buf, x), true
	case bool:
		return strconv.AppendBool(buf, x), true
	case float64:
		if !math.IsInf(x, 0) && !math.IsNaN(x) {
			return appendJSONFloat(buf, x), true
		}
	}
	return buf, false
}

// maxJSONDepth is how deep appendJSONValue nests before it hands over to
// json.Marshal (which reports a cycle instead of overflowing the stack).
const maxJSONDepth = 32

// appendJSONObject appends m with its keys sorted, as json.Marshal does.
func appendJSONObject(buf []byte, m map[string]any, depth int) ([]byte, error) {
	var keyArr [16]string
	keys := keyArr[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	buf = append(buf, '{')
	for i, k := range keys {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendJSONString(buf, k)
		buf = append(buf, ':')
		var err error
		if buf, err = appendJSONValue(buf, m[k], depth+1); err != nil {
			return buf, err
		}
	}
	return append(buf, '}'), nil
}

// appendJSONValue appends v as json.Marshal writes it.
func appendJSONValue(buf []byte, v any, depth int) ([]byte, error) {
	if b, ok := appendJSONScalar(buf, v); ok {
		return b, nil
	}
	switch x := v.(type) {
	case map[string]any:
		if x == nil {
			return append(buf, "null"...), nil
		}
		if depth < maxJSONDepth {
			return appendJSONObject(buf, x, depth)
		}
	case []any:
		if x == nil {
			return append(buf, "null"...), nil
		}
		if depth < maxJSONDepth {
			buf = append(buf, '[')
			for i, e := range x {
				if i > 0 {
					buf = append(buf, ',')
				}
				var err error
				if buf, err = appendJSONValue(buf, e, depth+1); err != nil {
					return buf, err
				}
			}
			return append(buf, ']'), nil
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return buf, err
	}
	return append(buf, b...), nil
}

// appendJSONFloat formats f as encoding/json does (ES6 number formatting).
func appendJSONFloat(buf []byte, f float64) []byte {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	buf = strconv.AppendFloat(buf, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9
		n := len(buf)
		if n >= 4 && buf[n-4] == 'e' && buf[n-3] == '-' && buf[n-2] == '0' {
			buf[n-2] = buf[n-1]
			buf = buf[:n-1]
		}
	}
	return buf
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s quoted as json.Marshal quotes it (HTML characters,
// U+2028 and U+2029 escaped; invalid UTF-8 replaced by U+FFFD).
func appendJSONString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			buf = append(buf, s[start:i]...)
			switch b {
			case '\\', '"':
				buf = append(buf, '\\', b)
			case '\b':
				buf = append(buf, '\\', 'b')
			case '\f':
				buf = append(buf, '\\', 'f')
			case '\n':
				buf = append(buf, '\\', 'n')
			case '\r':
				buf = append(buf, '\\', 'r')
			case '\t':
				buf = append(buf, '\\', 't')
			default:
				buf = append(buf, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, s[start:i]...)
			buf = append(buf, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			buf = append(buf, s[start:i]...)
			buf = append(buf, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}
