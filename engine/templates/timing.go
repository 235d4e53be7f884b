package templates

import (
	"encoding/json"
	"errors"
	"flowcraft/scripting"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// ParseDuration parses a duration parameter value: a number of milliseconds
// (float64, any Go integer type or json.Number), a string of plain digits
// (also milliseconds, e.g. "1500"), or a string in time.ParseDuration syntax
// extended with a "d" (24h day) unit, e.g. "500ms", "90s", "2h", "1h30m",
// "3d", "1d12h". Negative and non-finite durations are rejected.
func ParseDuration(v any) (time.Duration, error) {
	switch x := v.(type) {
	case string:
		return parseDurationString(x)
	case json.Number:
		return parseDurationString(string(x))
	case nil:
		return 0, errors.New("duration is empty")
	}
	if f, ok := scripting.ToFloat(v); ok {
		return millis(f, v)
	}
	return 0, fmt.Errorf("duration must be a number of milliseconds or a string like \"90s\", got %s", jsonType(v))
}

// millis converts a number of milliseconds to a duration.
func millis(ms float64, orig any) (time.Duration, error) {
	switch {
	case math.IsNaN(ms) || math.IsInf(ms, 0):
		return 0, fmt.Errorf("invalid duration %v", orig)
	case ms < 0:
		return 0, fmt.Errorf("duration must not be negative, got %v", orig)
	case ms*float64(time.Millisecond) >= math.MaxInt64:
		return 0, fmt.Errorf("duration %v is too long", orig)
	}
	return time.Duration(math.Round(ms * float64(time.Millisecond))), nil
}

func parseDurationString(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, errors.New("duration is empty")
	}
	if isPlainNumber(t) {
		f, err := strconv.ParseFloat(t, 64)
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q", s)
		}
		return millis(f, s)
	}
	d, err := time.ParseDuration(expandDays(t))
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q: use milliseconds or a value like \"90s\", \"2h\", \"1h30m\", \"3d\"", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("duration must not be negative, got %q", s)
	}
	return d, nil
}

// isPlainNumber reports whether s is digits with at most one decimal point.
func isPlainNumber(s string) bool {
	digits, dots := 0, 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '.':
			dots++
		default:
			return false
		}
	}
	return digits > 0 && dots <= 1
}

// expandDays rewrites every "<n>d" component of a duration string as hours
// so that time.ParseDuration accepts it ("1d12h" becomes "24h12h"). Other
// components are copied unchanged; the result is validated by the caller.
func expandDays(s string) string {
	var b strings.Builder
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		b.WriteByte(s[i])
		i++
	}
	for i < len(s) {
		start := i
		for i < len(s) && (s[i] == '.' || (s[i] >= '0' && s[i] <= '9')) {
			i++
		}
		num := s[start:i]
		ustart := i
		for i < len(s) && s[i] != '.' && (s[i] < '0' || s[i] > '9') {
			i++
		}
		unit := s[ustart:i]
		if unit == "d" && num != "" {
			if f, err := strconv.ParseFloat(num, 64); err == nil {
				b.WriteString(strconv.FormatFloat(f*24, 'f', -1, 64))
				b.WriteString("h")
				continue
			}
		}
		b.WriteString(num)
		b.WriteString(unit)
	}
	return b.String()
}

// ParseCron parses a cron expression: 5 fields (minute hour day-of-month
// month day-of-week), 6 fields (with leading seconds), or a descriptor such
// as "@daily", "@hourly" or "@every 5m". Errors carry the parser's message.
//
// The time zone is not part of the expression (a "TZ=" or "CRON_TZ=" prefix
// is rejected): it is a separate parameter, checked with LoadTimezone. The
// returned schedule computes Next in the location of the time it is given.
func ParseCron(expr string) (cron.Schedule, error) {
	e := strings.TrimSpace(expr)
	if e == "" {
		return nil, errors.New("cron expression is empty")
	}
	if strings.HasPrefix(e, "TZ=") || strings.HasPrefix(e, "CRON_TZ=") {
		return nil, fmt.Errorf("invalid cron expression %q: set the time zone with the timezone parameter, not in the expression", expr)
	}
	if rest, ok := strings.CutPrefix(e, "@every "); ok {
		d, err := time.ParseDuration(strings.TrimSpace(rest))
		if err != nil {
			return nil, fmt.Errorf("invalid cron expression %q: %v", expr, err)
		}
		if d < time.Second {
			return nil, fmt.Errorf("invalid cron expression %q: @every needs an interval of at least 1s", expr)
		}
	}
	p := cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
	s, err := p.Parse(e)
	if err != nil {
		return nil, fmt.Errorf("invalid cron expression %q: %v", expr, err)
	}
	if neverFires(s) {
		return nil, fmt.Errorf("invalid cron expression %q: it never fires, since none of its months has any of its days "+
			"(such as 30 February or 31 April); pick days that exist in the months, or set the day of the week too", expr)
	}
	return s, nil
}

// daysIn is the most days each month has (29 for February: leap years).
var daysIn = [13]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// neverFires reports whether a schedule has no fire time at all. Every second,
// minute and hour field matches something, so only the days can fail: as in
// standard cron (and robfig/cron), when both the day of the month and the day of
// the week are restricted either may match, and a day of the week always comes
// round; when the day of the week is * the day of the month must exist in one of
// the months.
func neverFires(s cron.Schedule) bool {
	spec, ok := s.(*cron.SpecSchedule)
	if !ok {
		return false // @every
	}
	const star = 1 << 63 // robfig's bit for a field written * or ?
	if spec.Dom&star != 0 || spec.Dow&star == 0 {
		return false
	}
	for m := 1; m <= 12; m++ {
		if spec.Month&(1<<m) == 0 {
			continue
		}
		for d := 1; d <= daysIn[m]; d++ {
			if spec.Dom&(1<<d) != 0 {
				return false
			}
		}
	}
	return true
}

// LoadTimezone returns the location of a time zone parameter: "" and "UTC"
// mean UTC, "Local" the server's local zone, anything else an IANA name such
// as "Asia/Shanghai" (the package embeds the tz database, so this works on
// any machine).
func LoadTimezone(name string) (*time.Location, error) {
	n := strings.TrimSpace(name)
	switch n {
	case "", "UTC":
		return time.UTC, nil
	case "Local":
		return time.Local, nil
	}
	loc, err := time.LoadLocation(n)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q", name)
	}
	return loc, nil
}

// timeLayouts are the formats ParseTime accepts, tried in order.
func timeLayouts() []string {
	return []string{
		time.RFC3339Nano,
		"2006-01-02T15:04:05",
		"2006-01-02 15:04:05Z07:00",
		"2006-01-02 15:04:05",
		"2006-01-02T15:04Z07:00",
		"2006-01-02T15:04",
		"2006-01-02 15:04",
		"2006-01-02",
	}
}

// ParseTime parses a static date-time such as the `until` of a delay:
// RFC 3339 ("2025-01-31T09:00:00+08:00"), or a date or date-time without
// offset ("2025-01-31", "2025-01-31 09:00", "2025-01-31T09:00:00"), which is
// taken in loc (UTC when loc is nil).
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	t := strings.TrimSpace(s)
	for _, layout := range timeLayouts() {
		if v, err := time.ParseInLocation(layout, t, loc); err == nil {
			return v, nil
		}
	}
	return time.Time{}, fmt.Errorf("invalid date-time %q: use e.g. \"2025-01-31T09:00:00+08:00\" or \"2025-01-31 09:00\"", s)
}
