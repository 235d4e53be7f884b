package flowable

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// isoDuration is java.time.Duration's text form, which Flowable's external worker API
// reads (lockDuration, retryTimeout): PnDTnHnMn.nS, days being exactly 24 hours, each
// part optionally signed, a sign before the P negating the whole; case-insensitive;
// ',' or '.' before the fraction of seconds (at most 9 digits). No years, months or
// weeks (Duration.parse refuses them too).
var isoDuration = regexp.MustCompile(`(?i)^([-+]?)P(?:([-+]?[0-9]+)D)?(T(?:([-+]?[0-9]+)H)?(?:([-+]?[0-9]+)M)?(?:([-+]?[0-9]+)(?:[.,]([0-9]{0,9}))?S)?)?$`)

// parseISODuration reads an ISO-8601 duration as java.time.Duration.parse does ("PT10M",
// "P1DT2H", "PT0.5S", "-PT1M"). A duration past what a time.Duration holds (about
// 292 years) is an error too.
func parseISODuration(s string) (time.Duration, error) {
	m := isoDuration.FindStringSubmatch(s)
	// "P" and "PT" alone name no part, and a T names at least one: Duration.parse
	// refuses "P1DT" too.
	if m == nil || m[2] == "" && m[4] == "" && m[5] == "" && m[6] == "" || strings.EqualFold(m[3], "T") {
		return 0, fmt.Errorf("%q is not an ISO-8601 duration such as PT10M, PT30S or P1DT2H (PnDTnHnMn.nS)", s)
	}
	var total time.Duration
	overflow := fmt.Errorf("%q is longer than flowcraft can hold", s)
	add := func(part string, unit time.Duration) error {
		if part == "" {
			return nil
		}
		n, err := strconv.ParseInt(part, 10, 64)
		if err != nil || n > math.MaxInt64/int64(unit) || n < math.MinInt64/int64(unit) {
			return overflow
		}
		d := time.Duration(n) * unit
		if d > 0 && total > math.MaxInt64-d || d < 0 && total < math.MinInt64-d {
			return overflow
		}
		total += d
		return nil
	}
	for _, p := range []struct {
		text string
		unit time.Duration
	}{{m[2], 24 * time.Hour}, {m[4], time.Hour}, {m[5], time.Minute}, {m[6], time.Second}} {
		if err := add(p.text, p.unit); err != nil {
			return 0, err
		}
	}
	if m[7] != "" {
		frac, _ := strconv.ParseInt((m[7] + "000000000")[:9], 10, 64)
		if strings.HasPrefix(m[6], "-") {
			frac = -frac
		}
		if err := add(strconv.FormatInt(frac, 10), time.Nanosecond); err != nil {
			return 0, err
		}
	}
	if m[1] == "-" {
		total = -total
	}
	return total, nil
}

// durationField is a duration property of a request body: ISO-8601 text, or a number
// of seconds (what Jackson's Duration deserializer also takes). Set reports whether
// the property was present and not null.
type durationField struct {
	Set   bool
	Value time.Duration
	err   error
}

// UnmarshalJSON reads the property; a bad value is kept as an error for the handler to
// answer with the property's name.
func (d *durationField) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*d = durationField{}
	switch {
	case bytes.Equal(b, []byte("null")):
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if s = strings.TrimSpace(s); s == "" {
			return nil // Jackson reads "" as null
		}
		d.Set = true
		d.Value, d.err = parseISODuration(s)
		return nil
	}
	var secs float64
	if err := json.Unmarshal(b, &secs); err != nil {
		d.Set, d.err = true, fmt.Errorf("must be an ISO-8601 duration such as PT10M, not %s", b)
		return nil
	}
	d.Set = true
	if math.Abs(secs) > float64(math.MaxInt64/int64(time.Second)) {
		d.err = fmt.Errorf("%s seconds is longer than flowcraft can hold", b)
		return nil
	}
	d.Value = time.Duration(secs * float64(time.Second))
	return nil
}
