package templates

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      any
		want    time.Duration
		wantErr bool
	}{
		{float64(1500), 1500 * time.Millisecond, false},
		{float64(0), 0, false},
		{0.5, 500 * time.Microsecond, false},
		{1500, 1500 * time.Millisecond, false},
		{int64(2000), 2 * time.Second, false},
		{json.Number("250"), 250 * time.Millisecond, false},
		{"1500", 1500 * time.Millisecond, false},
		{" 1500 ", 1500 * time.Millisecond, false},
		{"1.5", 1500 * time.Microsecond, false},
		{"500ms", 500 * time.Millisecond, false},
		{"90s", 90 * time.Second, false},
		{"2h", 2 * time.Hour, false},
		{"1h30m", 90 * time.Minute, false},
		{"3d", 72 * time.Hour, false},
		{"1d12h", 36 * time.Hour, false},
		{"1.5d", 36 * time.Hour, false},
		{"2d3h4m5s", 51*time.Hour + 4*time.Minute + 5*time.Second, false},
		{"", 0, true},
		{"   ", 0, true},
		{nil, 0, true},
		{"abc", 0, true},
		{"5x", 0, true},
		{"d", 0, true},
		{"1.2.3", 0, true},
		{"1e3", 0, true},
		{"-5s", 0, true},
		{-1.0, 0, true},
		{"-1", 0, true},
		{1e30, 0, true},
		{"1e30", 0, true},
		{true, 0, true},
		{[]any{"1s"}, 0, true},
		{json.Number("x"), 0, true},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseDuration(%#v) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseDuration(%#v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseCron(t *testing.T) {
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		expr    string
		next    time.Time // zero: do not check
		wantErr string    // substring of the error; "" means no error
	}{
		{"0 2 * * *", time.Date(2025, 1, 1, 2, 0, 0, 0, time.UTC), ""},
		{"*/5 * * * * *", time.Date(2025, 1, 1, 0, 0, 5, 0, time.UTC), ""},
		{"30 0 2 * * *", time.Date(2025, 1, 1, 2, 0, 30, 0, time.UTC), ""},
		{"0 9 * * MON-FRI", time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC), ""},
		{"@daily", time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC), ""},
		{"@hourly", time.Date(2025, 1, 1, 1, 0, 0, 0, time.UTC), ""},
		{"@every 5m", time.Date(2025, 1, 1, 0, 5, 0, 0, time.UTC), ""},
		{"  0 2 * * *  ", time.Date(2025, 1, 1, 2, 0, 0, 0, time.UTC), ""},
		{"61 * * * *", time.Time{}, "above maximum"},
		{"* * *", time.Time{}, "expected 5 to 6 fields"},
		{"* * * * * * *", time.Time{}, "fields"},
		{"", time.Time{}, "empty"},
		{"@sometimes", time.Time{}, "unrecognized descriptor"},
		{"@every soon", time.Time{}, "invalid"},
		{"@every 0s", time.Time{}, "at least 1s"},
		{"@every -5m", time.Time{}, "at least 1s"},
		{"TZ=Asia/Shanghai 0 2 * * *", time.Time{}, "timezone parameter"},
		{"CRON_TZ=UTC 0 2 * * *", time.Time{}, "timezone parameter"},
		// Days that no month of the expression has: it would never fire.
		{"0 0 30 2 *", time.Time{}, "it never fires"},
		{"0 0 31 2 *", time.Time{}, "it never fires"},
		{"0 0 31 4,6,9,11 *", time.Time{}, "it never fires"},
		{"0 0 30-31 2 ?", time.Time{}, "it never fires"},
		{"15 0 0 30 2 *", time.Time{}, "it never fires"},
		{"0 0 30,31 FEB *", time.Time{}, "it never fires"},
		// ... but these fire: a leap day, a day that one of the months has, or a day of
		// the week as well (either may match, as in standard cron).
		{"0 0 29 2 *", time.Date(2028, 2, 29, 0, 0, 0, 0, time.UTC), ""},
		{"0 0 31 2,3 *", time.Date(2025, 3, 31, 0, 0, 0, 0, time.UTC), ""},
		{"0 0 30 2 MON", time.Date(2025, 2, 3, 0, 0, 0, 0, time.UTC), ""},
		{"0 0 0 31 */2 *", time.Date(2025, 1, 31, 0, 0, 0, 0, time.UTC), ""},
	}
	for _, tt := range tests {
		s, err := ParseCron(tt.expr)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseCron(%q) error = %v, want it to contain %q", tt.expr, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseCron(%q) error = %v", tt.expr, err)
			continue
		}
		if got := s.Next(from); !tt.next.IsZero() && !got.Equal(tt.next) {
			t.Errorf("ParseCron(%q).Next(%v) = %v, want %v", tt.expr, from, got, tt.next)
		}
	}
}

func TestParseCronInTimezone(t *testing.T) {
	loc, err := LoadTimezone("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseCron("0 2 * * *")
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)  // 08:00 in Shanghai
	want := time.Date(2025, 1, 1, 18, 0, 0, 0, time.UTC) // 02:00 next day in Shanghai
	if got := s.Next(from.In(loc)); !got.Equal(want) {
		t.Errorf("Next = %v, want %v", got, want)
	}
}

func TestLoadTimezone(t *testing.T) {
	tests := []struct {
		name    string
		want    string
		wantErr bool
	}{
		{"", "UTC", false},
		{"UTC", "UTC", false},
		{"Local", "Local", false},
		{"Asia/Shanghai", "Asia/Shanghai", false},
		{"America/New_York", "America/New_York", false},
		{" Europe/Berlin ", "Europe/Berlin", false},
		{"Mars/Olympus", "", true},
		{"../etc/passwd", "", true},
	}
	for _, tt := range tests {
		loc, err := LoadTimezone(tt.name)
		if (err != nil) != tt.wantErr {
			t.Errorf("LoadTimezone(%q) error = %v, wantErr %v", tt.name, err, tt.wantErr)
			continue
		}
		if err == nil && loc.String() != tt.want {
			t.Errorf("LoadTimezone(%q) = %v, want %v", tt.name, loc, tt.want)
		}
	}
}

func TestParseTime(t *testing.T) {
	sh, err := LoadTimezone("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in      string
		loc     *time.Location
		want    time.Time
		wantErr bool
	}{
		{"2025-01-31T09:00:00+08:00", nil, time.Date(2025, 1, 31, 1, 0, 0, 0, time.UTC), false},
		{"2025-01-31T09:00:00.5Z", nil, time.Date(2025, 1, 31, 9, 0, 0, 5e8, time.UTC), false},
		{"2025-01-31T09:00:00", nil, time.Date(2025, 1, 31, 9, 0, 0, 0, time.UTC), false},
		{"2025-01-31 09:00", nil, time.Date(2025, 1, 31, 9, 0, 0, 0, time.UTC), false},
		{"2025-01-31", nil, time.Date(2025, 1, 31, 0, 0, 0, 0, time.UTC), false},
		{"2025-01-31 09:00", sh, time.Date(2025, 1, 31, 1, 0, 0, 0, time.UTC), false},
		{"31/01/2025", nil, time.Time{}, true},
		{"2025-02-30", nil, time.Time{}, true},
		{"", nil, time.Time{}, true},
	}
	for _, tt := range tests {
		got, err := ParseTime(tt.in, tt.loc)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseTime(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if !got.Equal(tt.want) {
			t.Errorf("ParseTime(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestIsDynamicAndUnset(t *testing.T) {
	for _, v := range []any{"{{ x }}", "a {{b}} c", "{{"} {
		if !IsDynamic(v) {
			t.Errorf("IsDynamic(%#v) = false", v)
		}
	}
	for _, v := range []any{"x", "{ x }", nil, 1.0, []any{"{{ x }}"}} {
		if IsDynamic(v) {
			t.Errorf("IsDynamic(%#v) = true", v)
		}
	}
	for _, v := range []any{nil, "", "  \t"} {
		if !IsUnset(v) {
			t.Errorf("IsUnset(%#v) = false", v)
		}
	}
	for _, v := range []any{"x", 0.0, false, []any{}} {
		if IsUnset(v) {
			t.Errorf("IsUnset(%#v) = true", v)
		}
	}
}
