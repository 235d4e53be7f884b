package jsondepth

import (
	"strings"
	"testing"
)

func TestExceeds(t *testing.T) {
	for _, c := range []struct {
		body string
		max  int
		want bool
	}{
		{`{}`, 1, false},
		{`{"a":[1]}`, 1, true},
		{`{"a":[1]}`, 2, false},
		{`{"a":"[[[[[[["}`, 1, false}, // brackets in a string
		{`{"a":"\"[[["}`, 1, false},   // an escaped quote keeps the string open
		{`[{},{},{}]`, 2, false},      // siblings do not add up
		{strings.Repeat("[", 65), 64, true},
	} {
		if got := Exceeds([]byte(c.body), c.max); got != c.want {
			t.Errorf("Exceeds(%s, %d) = %v", c.body, c.max, got)
		}
	}
}
