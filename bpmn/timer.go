package bpmn

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"flowcraft/engine"
	"flowcraft/engine/templates"
)

// Timers (DESIGN §9): a timer catch event's timeDuration or timeDate becomes a
// `delay` task (duration, until), a timer start event's timeCycle the cron of a
// `cron-timer` trigger.
//
//   - timeDuration: an ISO-8601 duration (PT5M, P1DT2H, PT1.5S, P2W; years and months
//     count 365 and 30 days, reported as an approximation) becomes a duration string
//     the delay template reads ("1d2h", "1s500ms"); an expression (${...}, #{...},
//     =...) becomes {{ }} of its translation, converted at run time from an ISO-8601
//     duration string (what Camunda's expressions return) to milliseconds.
//   - timeDate: an ISO-8601 date-time with Z or an offset is kept (normalized to
//     RFC 3339); without an offset it is taken as UTC (Camunda takes the server's
//     zone: reported); an expression becomes {{ }} of its translation.
//   - timeCycle: R[n]/<duration> becomes "@every <duration>" (counted from when the
//     schedule starts, as Camunda counts from deployment); R[n]/<start>/<duration>
//     becomes a calendar cron at the start's minute, hour, weekday or day when the
//     duration is one day, week, month or year or divides a day, an hour or a minute
//     evenly (PT6H → "M H/6 * * *"), else "@every" from when the schedule starts; the
//     first fire is the next slot, not the start itself. A repeat count n is not
//     kept: the schedule goes on. Quartz cron (Camunda's and Flowable's six or seven
//     fields: seconds, minutes, hours, day of month, month, day of week 1-7 = SUN-SAT,
//     optional year) becomes flowcraft's five (six when the seconds are not 0) with
//     ? → * and the days of the week renumbered 0-6; L, W, # and a year other than *
//     are errors. Five fields are taken as flowcraft's own cron.
//
// The ...Note variants also say how a translation approximates ("" when exact); the
// import reports it.

// timerParams are the `delay` template's parameters for a timer catch event's
// timeDuration (ISO-8601 duration, e.g. PT5M, P1DT2H; or an expression) or timeDate
// (ISO-8601 date-time; or an expression). kind is "timeDuration" or "timeDate".
func timerParams(chk Checker, kind, text string) (map[string]any, error) {
	params, _, err := timerParamsNote(chk, kind, text)
	return params, err
}

// timerParamsNote is timerParams that also says how the mapping approximates the
// timer ("" when it is exact).
func timerParamsNote(chk Checker, kind, text string) (map[string]any, string, error) {
	src := strings.TrimSpace(text)
	if src == "" {
		return nil, "", engine.Errorf(engine.ErrInvalid, "%s is empty", kind)
	}
	switch kind {
	case "timeDuration":
		if isExpressionText(src) {
			js, err := translateExpression(chk, "", src)
			if err != nil {
				return nil, "", err
			}
			return map[string]any{"duration": "{{ " + isoDurationJS + js + ") }}"}, "", nil
		}
		ms, approx, err := parseISODuration(src)
		if err != nil {
			return nil, "", err
		}
		note := ""
		if approx {
			note = fmt.Sprintf("duration %s counts a year as 365 days and a month as 30 days", src)
		}
		return map[string]any{"duration": formatMillis(ms)}, note, nil
	case "timeDate":
		if isExpressionText(src) {
			js, err := translateExpression(chk, "", src)
			if err != nil {
				return nil, "", err
			}
			return map[string]any{"until": "{{ " + js + " }}"}, "", nil
		}
		until, zoned, err := parseISODateTime(src)
		if err != nil {
			return nil, "", err
		}
		note := ""
		if !zoned {
			note = fmt.Sprintf("date %s has no time zone offset: taken as UTC", src)
		}
		return map[string]any{"until": until}, note, nil
	case "timeCycle":
		return nil, "", engine.Errorf(engine.ErrInvalid, "a repeating timer (timeCycle) is only supported on a start event")
	}
	return nil, "", engine.Errorf(engine.ErrInvalid, "unknown timer definition %q (want timeDuration, timeDate or timeCycle)", kind)
}

// isoDurationJS starts a JavaScript function call that turns an ISO-8601 duration
// string into milliseconds and passes anything else through (a number of
// milliseconds, "90s"); the expression and ")" follow.
const isoDurationJS = `((d) => { const m = typeof d === "string" && /^P(?:(\d+(?:[.,]\d+)?)Y)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)W)?` +
	`(?:(\d+(?:[.,]\d+)?)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/.exec(d.trim()); ` +
	`return m ? [31536e6, 2592e6, 6048e5, 864e5, 36e5, 6e4, 1e3].reduce((t, u, i) => t + (Number(String(m[i + 1] || 0).replace(",", ".")) * u), 0) : d; })(`

// isExpressionText reports whether timer text is an expression rather than a value.
func isExpressionText(s string) bool {
	return strings.Contains(s, "${") || strings.Contains(s, "#{") || strings.HasPrefix(s, "=")
}

// durationMillis is an ISO-8601 duration (PnYnMnDTnHnMnS, PnW; years and months
// count 365 and 30 days) in milliseconds.
func durationMillis(text string) (int64, error) {
	ms, _, err := parseISODuration(text)
	return ms, err
}

// parseISODuration parses an ISO-8601 duration into milliseconds; approx is true when
// it has years or months (counted as 365 and 30 days). Each component is a number
// with an optional fraction ("." or ","); weeks may be combined with the others.
func parseISODuration(text string) (ms int64, approx bool, err error) {
	s := strings.TrimSpace(text)
	bad := func(why string) (int64, bool, error) {
		return 0, false, engine.Errorf(engine.ErrInvalid, "invalid ISO-8601 duration %q: %s (e.g. PT5M, P1DT2H, PT1.5S)", shorten(s), why)
	}
	if len(s) > 64 {
		return bad("too long")
	}
	if strings.HasPrefix(s, "-") {
		return bad("negative durations are not supported")
	}
	if len(s) < 2 || s[0] != 'P' && s[0] != 'p' {
		return bad("it must start with P")
	}
	const (
		second = 1000.0
		minute = 60 * second
		hour   = 60 * minute
		day    = 24 * hour
	)
	dateUnits := map[byte]float64{'Y': 365 * day, 'M': 30 * day, 'W': 7 * day, 'D': day}
	timeUnits := map[byte]float64{'H': hour, 'M': minute, 'S': second}
	order := "YMWD"
	total := 0.0
	inTime, seen, timeAny := false, false, false
	last := -1
	for i := 1; i < len(s); {
		c := s[i] &^ 0x20 // upper case
		if c == 'T' && !inTime {
			inTime, last = true, -1
			order = "HMS"
			i++
			continue
		}
		j := i
		for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.' || s[j] == ',') {
			j++
		}
		if j == i || j == len(s) {
			return bad("expected a number and a unit")
		}
		num, err := strconv.ParseFloat(strings.Replace(s[i:j], ",", ".", 1), 64)
		if err != nil {
			return bad("bad number " + s[i:j])
		}
		u := s[j] &^ 0x20
		units := dateUnits
		if inTime {
			units = timeUnits
		}
		f, ok := units[u]
		pos := strings.IndexByte(order, u)
		if !ok || pos <= last {
			return bad("unexpected unit " + string(s[j]))
		}
		last = pos
		if !inTime && (u == 'Y' || u == 'M') && num != 0 {
			approx = true
		}
		total += num * f
		seen = true
		timeAny = timeAny || inTime
		i = j + 1
	}
	switch {
	case !seen:
		return bad("no components")
	case inTime && !timeAny:
		return bad("T must be followed by hours, minutes or seconds")
	case total >= float64(math.MaxInt64/int64(time.Millisecond)) || math.IsInf(total, 0) || math.IsNaN(total):
		return bad("too long")
	}
	return int64(math.Round(total)), approx, nil
}

// formatMillis writes milliseconds as a duration string the delay template reads
// (templates.ParseDuration): "1d2h30m", "1s500ms", "0s".
func formatMillis(ms int64) string {
	if ms == 0 {
		return "0s"
	}
	var b strings.Builder
	for _, u := range []struct {
		name string
		n    int64
	}{{"d", 86_400_000}, {"h", 3_600_000}, {"m", 60_000}, {"s", 1000}, {"ms", 1}} {
		if ms >= u.n {
			b.WriteString(strconv.FormatInt(ms/u.n, 10))
			b.WriteString(u.name)
			ms %= u.n
		}
	}
	return b.String()
}

// parseISODateTime parses an ISO-8601 date-time; it returns it as RFC 3339 (with its
// offset) when zoned, else as "2006-01-02T15:04:05" (which the delay template takes
// as UTC).
func parseISODateTime(text string) (string, bool, error) {
	s := strings.TrimSpace(text)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04Z07:00", "2006-01-02T15:04Z0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format(time.RFC3339Nano), true, nil
		}
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format("2006-01-02T15:04:05.999999999"), false, nil
		}
	}
	return "", false, engine.Errorf(engine.ErrInvalid, "invalid ISO-8601 date-time %q (e.g. 2026-01-31T09:00:00Z or 2026-01-31T09:00:00+08:00)", shorten(s))
}

// cronFromTimeCycle is the `cron-timer` template's cron expression for a timer start
// event's timeCycle: an ISO-8601 repeating interval (R/PT1H, R3/2026-01-01T00:00:00Z/P1D)
// when it maps onto a cron slot, or a cron expression (Camunda's and Flowable's
// Quartz-style six or seven fields, translated to flowcraft's 5/6 fields).
func cronFromTimeCycle(text string) (string, error) {
	c, _, err := cronFromTimeCycleNote(text)
	return c, err
}

// cronFromTimeCycleNote is cronFromTimeCycle that also says how the cron approximates
// the cycle ("" when exact).
func cronFromTimeCycleNote(text string) (cron string, note string, err error) {
	s := strings.TrimSpace(text)
	switch {
	case s == "":
		return "", "", engine.Errorf(engine.ErrInvalid, "timeCycle is empty")
	case len(s) > 256:
		return "", "", engine.Errorf(engine.ErrInvalid, "timeCycle is longer than 256 bytes")
	case isExpressionText(s):
		return "", "", engine.Errorf(engine.ErrInvalid, "timeCycle %q is an expression: a schedule is read before any instance exists, so it must be a fixed cycle or cron", shorten(s))
	case s[0] == 'R' || s[0] == 'r':
		cron, note, err = cronFromRepeat(s)
	default:
		cron, note, err = cronFromQuartz(s)
	}
	if err != nil {
		return "", "", err
	}
	if _, err := templates.ParseCron(cron); err != nil {
		return "", "", engine.Errorf(engine.ErrInvalid, "timeCycle %q: %v", shorten(s), err)
	}
	return cron, note, nil
}

// cronFromRepeat maps an ISO-8601 repeating interval R[n]/[start/]duration.
func cronFromRepeat(s string) (string, string, error) {
	parts := strings.Split(s, "/")
	bad := func(why string) (string, string, error) {
		return "", "", engine.Errorf(engine.ErrInvalid, "invalid repeating interval %q: %s (e.g. R/PT1H, R/2026-01-01T08:00:00Z/P1D)", shorten(s), why)
	}
	var notes []string
	if n := parts[0][1:]; n != "" {
		if v, err := strconv.Atoi(n); err != nil || v < -1 {
			return bad("bad repeat count " + n)
		} else if v != -1 {
			notes = append(notes, fmt.Sprintf("the repeat count %d is not kept: the schedule repeats without end", v))
		}
	}
	var start, dur string
	switch len(parts) {
	case 2:
		dur = parts[1]
	case 3:
		if strings.HasPrefix(strings.ToUpper(parts[2]), "P") {
			start, dur = parts[1], parts[2]
		} else if strings.HasPrefix(strings.ToUpper(parts[1]), "P") {
			dur = parts[1]
			notes = append(notes, "the end date "+parts[2]+" is not kept")
		} else {
			return bad("an interval between two dates is not supported")
		}
	default:
		return bad("expected R[n]/duration or R[n]/start/duration")
	}
	ms, approx, err := parseISODuration(dur)
	if err != nil {
		return "", "", err
	}
	if ms < 1000 {
		return bad("the interval must be at least one second")
	}
	if start == "" {
		if approx {
			notes = append(notes, fmt.Sprintf("%s counts a year as 365 days and a month as 30 days", dur))
		}
		return everyCron(ms), strings.Join(notes, "; "), nil
	}
	at, zoned, err := parseISODateTime(start)
	if err != nil {
		return "", "", err
	}
	t, _ := time.Parse(time.RFC3339Nano, at)
	if !zoned {
		t, _ = time.Parse("2006-01-02T15:04:05.999999999", at)
		notes = append(notes, "the start "+start+" has no time zone offset: taken as UTC")
	}
	t = t.UTC()
	cron, exact := calendarCron(t, strings.ToUpper(dur), ms)
	if !exact {
		notes = append(notes, fmt.Sprintf("%s from %s does not fit a calendar schedule: it runs every %s from when the schedule starts", dur, start, formatMillis(ms)))
		if approx {
			notes = append(notes, fmt.Sprintf("%s counts a year as 365 days and a month as 30 days", dur))
		}
		return everyCron(ms), strings.Join(notes, "; "), nil
	}
	notes = append(notes, "the first run is the next slot of the schedule (UTC), not "+start+" itself")
	return cron, strings.Join(notes, "; "), nil
}

// everyCron is "@every" with a Go duration of ms (days as hours).
func everyCron(ms int64) string {
	return "@every " + time.Duration(ms*int64(time.Millisecond)).String()
}

// calendarCron is a cron of slots every ms starting at t (UTC) when such a cron
// exists: one day, week, month or year, or a divisor of a day, an hour or a minute.
func calendarCron(t time.Time, dur string, ms int64) (string, bool) {
	if t.Nanosecond() != 0 {
		return "", false
	}
	sec, mi, hour := t.Second(), t.Minute(), t.Hour()
	with := func(fields string) string {
		if sec != 0 {
			return strconv.Itoa(sec) + " " + fields
		}
		return fields
	}
	const (
		secMs  = 1000
		minMs  = 60 * secMs
		hourMs = 60 * minMs
		dayMs  = 24 * hourMs
	)
	datePart, _, _ := strings.Cut(dur, "T")
	switch {
	case dur == "P1Y":
		return with(fmt.Sprintf("%d %d %d %d *", mi, hour, t.Day(), int(t.Month()))), true
	case dur == "P1M":
		if t.Day() > 28 {
			return "", false
		}
		return with(fmt.Sprintf("%d %d %d * *", mi, hour, t.Day())), true
	case strings.ContainsAny(datePart, "YM"):
		return "", false
	case ms == 7*dayMs:
		return with(fmt.Sprintf("%d %d * * %d", mi, hour, int(t.Weekday()))), true
	case ms == dayMs:
		return with(fmt.Sprintf("%d %d * * *", mi, hour)), true
	case ms%hourMs == 0 && dayMs%ms == 0:
		return with(fmt.Sprintf("%d %s * * *", mi, stepField(hour, int(ms/hourMs)))), true
	case ms%minMs == 0 && hourMs%ms == 0:
		return with(stepField(mi, int(ms/minMs)) + " * * * *"), true
	case ms%secMs == 0 && minMs%ms == 0:
		return stepField(sec, int(ms/secMs)) + " * * * * *", true
	}
	return "", false
}

// stepField is a cron field of every n-th value from at mod n: "*" for every value.
func stepField(at, n int) string {
	if n == 1 {
		return "*"
	}
	return fmt.Sprintf("%d/%d", at%n, n)
}

// cronFromQuartz translates a Quartz cron (6 or 7 fields) to flowcraft's; 5 fields
// are taken as flowcraft's own. Days of the week written as numbers are read as
// Quartz's (1 = SUN, Camunda 7, Flowable); Camunda 8 (Spring's cron) reads 1 as MON,
// so the note says so.
func cronFromQuartz(s string) (string, string, error) {
	f := strings.Fields(s)
	bad := func(format string, args ...any) (string, string, error) {
		return "", "", engine.Errorf(engine.ErrInvalid, "cron %q: %s", shorten(s), fmt.Sprintf(format, args...))
	}
	switch len(f) {
	case 5:
		return strings.Join(f, " "), "", nil
	case 6, 7:
	default:
		return bad("expected 6 or 7 fields (Quartz: seconds minutes hours day-of-month month day-of-week [year]) or an ISO-8601 cycle such as R/PT1H")
	}
	if len(f) == 7 {
		if y := f[6]; y != "*" && y != "?" {
			return bad("the year field %s is not supported", y)
		}
		f = f[:6]
	}
	for i, x := range f {
		if x == "?" {
			f[i] = "*"
		}
	}
	dom, dow := strings.ToUpper(f[3]), strings.ToUpper(f[5])
	if strings.ContainsAny(dom, "LW") {
		return bad("day of month %s: L (last day) and W (nearest weekday) are not supported", f[3])
	}
	if strings.Contains(dow, "#") {
		return bad("day of week %s: # (nth weekday of the month) is not supported", f[5])
	}
	if strings.Contains(dow, "L") {
		return bad("day of week %s: L (last weekday of the month) is not supported", f[5])
	}
	d, err := quartzDow(f[5])
	if err != nil {
		return bad("day of week %s: %v", f[5], err)
	}
	note := ""
	if d != f[5] {
		note = fmt.Sprintf("days of the week %s are read as Quartz's (1 = Sunday, as in Camunda 7 and Flowable; Camunda 8 reads 1 as Monday)", f[5])
	}
	f[5] = d
	if f[0] == "0" {
		f = f[1:]
	}
	return strings.Join(f, " "), note, nil
}

// quartzDow renumbers Quartz's days of the week (1-7 = SUN-SAT) to cron's (0-6);
// names stay.
func quartzDow(field string) (string, error) {
	items := strings.Split(field, ",")
	for i, it := range items {
		rng, step, hasStep := strings.Cut(it, "/")
		parts := strings.Split(rng, "-")
		if len(parts) > 2 {
			return "", fmt.Errorf("bad range %s", rng)
		}
		for j, p := range parts {
			if p == "*" || p == "" || p[0] < '0' || p[0] > '9' {
				continue
			}
			n, err := strconv.Atoi(p)
			if err != nil || n < 1 || n > 7 {
				return "", fmt.Errorf("%s is not a day 1-7", p)
			}
			parts[j] = strconv.Itoa(n - 1)
		}
		items[i] = strings.Join(parts, "-")
		if hasStep {
			items[i] += "/" + step
		}
	}
	return strings.Join(items, ","), nil
}
