package flowable

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// likeRegexp is the reference of like: the store's like filter (SQLite LIKE with %
// the only wildcard, a substring without one, ASCII letters in either case) as a
// regular expression.
func likeRegexp(pattern string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`(?s)^`)
	if !strings.Contains(pattern, "%") {
		b.WriteString(`.*`)
	}
	for _, r := range pattern {
		switch {
		case r == '%':
			b.WriteString(`.*`)
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z':
			b.WriteString("[" + strings.ToLower(string(r)) + strings.ToUpper(string(r)) + "]")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	if !strings.Contains(pattern, "%") {
		b.WriteString(`.*`)
	}
	b.WriteString(`$`)
	return regexp.MustCompile(b.String())
}

func TestLike(t *testing.T) {
	for _, c := range []struct {
		pattern, s string
		want       bool
	}{
		{"Tas%", "Task", true}, {"tas%", "Task", true}, {"Tas%", "A Task", false}, {"%审批", "请假审批", true}, {"请假", "请假审批", true},
		{"假审", "请假审批", true}, {"审假", "请假审批", false}, {"%", "", true}, {"", "", true}, {"", "x", true},
		{"a_c", "abc", false}, {"a_c", "xa_cx", true}, {"a%_c", "ab_c", true}, {"a%_c", "abc", false},
		{"%a%b%", "xxaxxbxx", true}, {"%a%b%", "xxbxxaxx", false}, {"a%%b", "ab", true}, {"%.json", "proc-x.JSON", true},
	} {
		if got := like(c.pattern, c.s); got != c.want {
			t.Errorf("like(%q, %q) = %v", c.pattern, c.s, got)
		}
	}
}

// FuzzLike: like agrees with the store's LIKE as a regular expression.
func FuzzLike(f *testing.F) {
	f.Add("Tas%", "Task")
	f.Add("%a_b%", "xxa_bxx")
	f.Add("请%批", "请假审批")
	f.Add("审", "请假审批")
	f.Fuzz(func(t *testing.T, pattern, s string) {
		if len(pattern) > 64 || len(s) > 256 || !utf8.ValidString(pattern) || !utf8.ValidString(s) {
			return
		}
		if got, want := like(pattern, s), likeRegexp(pattern).MatchString(s); got != want {
			t.Fatalf("like(%q, %q) = %v, want %v", pattern, s, got, want)
		}
	})
}

func TestParseIDs(t *testing.T) {
	for _, c := range []struct {
		id  string
		key string
		ver int
		ok  bool
	}{
		{"proc-avxhke9u-3", "proc-avxhke9u", 3, true}, {"proc-avxhke9u-0", "", 0, false}, {"proc-avxhke9u-03", "", 0, false},
		{"proc-avxhke9u-+3", "", 0, false}, {"proc-avxhke9u", "", 0, false}, {"-3", "", 0, false}, {"x-99999999999999999999", "", 0, false},
	} {
		key, ver, ok := parseDeploymentID(c.id)
		if key != c.key || ver != c.ver || ok != c.ok {
			t.Errorf("parseDeploymentID(%q) = %q %d %v", c.id, key, ver, ok)
		}
	}
	for _, c := range []struct {
		id  string
		key string
		ver int
		ok  bool
	}{
		{"proc-avxhke9u:3", "proc-avxhke9u", 3, true}, {"proc-avxhke9u:0", "", 0, false}, {":3", "", 0, false},
		{"proc-avxhke9u:3:x", "", 0, false}, {"proc-avxhke9u", "", 0, false}, {"k:+1", "", 0, false},
	} {
		key, ver, ok := parseDefinitionID(c.id)
		if key != c.key || ver != c.ver || ok != c.ok {
			t.Errorf("parseDefinitionID(%q) = %q %d %v", c.id, key, ver, ok)
		}
	}
	if _, _, ok := parsePlanItemID("12-34"); !ok {
		t.Error("plan item id 12-34")
	}
	for _, id := range []string{"12", "12-", "-34", "a-b", "09618702-3c78-11ea-8548-38c986587585"} {
		if _, _, ok := parsePlanItemID(id); ok {
			t.Errorf("plan item id %q parsed", id)
		}
	}
}
