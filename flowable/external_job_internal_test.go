package flowable

import (
	"encoding/json"
	"testing"
	"time"
)

// TestParseISODuration: java.time.Duration.parse's forms, which Flowable's lockDuration
// and retryTimeout take, and its refusals.
func TestParseISODuration(t *testing.T) {
	ok := []struct {
		in   string
		want time.Duration
	}{
		{"PT10M", 10 * time.Minute},
		{"PT1M", time.Minute},
		{"PT30S", 30 * time.Second},
		{"PT0.5S", 500 * time.Millisecond},
		{"PT0,25S", 250 * time.Millisecond},
		{"PT0.000000001S", time.Nanosecond},
		{"PT1.S", time.Second},
		{"P1D", 24 * time.Hour},
		{"P2DT3H4M5S", 2*24*time.Hour + 3*time.Hour + 4*time.Minute + 5*time.Second},
		{"pt20m", 20 * time.Minute},
		{"PT0S", 0},
		{"-PT1M", -time.Minute},
		{"PT-1M", -time.Minute},
		{"-PT-1M", time.Minute},
		{"PT-0.5S", -500 * time.Millisecond},
		{"+PT1H", time.Hour},
		{"PT36H", 36 * time.Hour},
	}
	for _, c := range ok {
		got, err := parseISODuration(c.in)
		if err != nil || got != c.want {
			t.Errorf("%q: %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{"", "P", "PT", "10M", "PT10", "P1Y", "P1M", "P1W", "PT1H1H", "PT0.1234567891S", "PT 1M", "P1DT", "PTM", "PT1.5M",
		"P106752D", "PT9223372036854775807S", "PT99999999999999999999S"} {
		if d, err := parseISODuration(in); err == nil {
			t.Errorf("%q: %v, want an error", in, d)
		}
	}
}

// TestDurationField: a body's duration is ISO-8601 text or a number of seconds; null
// and "" are absent; anything else is an error the handler names.
func TestDurationField(t *testing.T) {
	var b struct {
		D durationField `json:"d"`
	}
	for _, c := range []struct {
		in      string
		set     bool
		want    time.Duration
		invalid bool
	}{
		{`{"d": "PT1M"}`, true, time.Minute, false},
		{`{"d": 90}`, true, 90 * time.Second, false},
		{`{"d": 1.5}`, true, 1500 * time.Millisecond, false},
		{`{"d": null}`, false, 0, false},
		{`{"d": ""}`, false, 0, false},
		{`{}`, false, 0, false},
		{`{"d": "soon"}`, true, 0, true},
		{`{"d": true}`, true, 0, true},
		{`{"d": {"seconds": 1}}`, true, 0, true},
		{`{"d": 1e300}`, true, 0, true},
	} {
		b.D = durationField{}
		if err := json.Unmarshal([]byte(c.in), &b); err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if b.D.Set != c.set || (b.D.err != nil) != c.invalid || !c.invalid && b.D.Value != c.want {
			t.Errorf("%s: %+v, want set %v value %v invalid %v", c.in, b.D, c.set, c.want, c.invalid)
		}
	}
}
