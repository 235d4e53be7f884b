package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync/atomic"
	"time"
)

// The seed's tables keep start_at and end_at as 'YYYY-MM-DD HH:MM:SS' text in the
// server's time zone (seed 000: char(19)); flowcraft computes with unix milliseconds,
// kept beside them in start_at_ms and end_at_ms. The text is written by the store
// from the milliseconds, in the zone of Options.Location.

// seedTimeLayout is the seed's time format.
const seedTimeLayout = "2006-01-02 15:04:05"

// seedTimes formats unix milliseconds as the seed's text in one time zone. It keeps
// the last second it formatted: the rows of a step mostly share their second.
type seedTimes struct {
	loc  *time.Location
	last atomic.Pointer[formattedSecond]
}

type formattedSecond struct {
	sec  int64
	text any // a string, boxed once: rows bind it as an argument
}

func newSeedTimes(loc *time.Location) *seedTimes {
	if loc == nil {
		loc = time.UTC
	}
	return &seedTimes{loc: loc}
}

// text is ms as the seed's text, or nil (NULL) for 0: not started, not ended.
func (s *seedTimes) text(ms int64) any {
	if ms <= 0 {
		return nil
	}
	sec := ms / 1000
	if f := s.last.Load(); f != nil && f.sec == sec {
		return f.text
	}
	var t any = time.Unix(sec, 0).In(s.loc).Format(seedTimeLayout)
	s.last.Store(&formattedSecond{sec: sec, text: t})
	return t
}

// fillSeedTimes is the Go part of migration 0007: it writes start_at and end_at of the
// existing instances and runtimes from their milliseconds, in the store's time zone.
func fillSeedTimes(ctx context.Context, tx *sql.Tx, d *Store) error {
	for _, table := range []string{"workflow_inst", "node_inst"} {
		for _, col := range []string{"start_at", "end_at"} {
			if err := fillLocalText(ctx, tx, d.times.loc, table, col, col+"_ms"); err != nil {
				return fmt.Errorf("%s.%s: %w", table, col, err)
			}
		}
	}
	return nil
}

// fillLocalText sets text from ms (unix milliseconds) on every row with ms > 0, in
// loc: one UPDATE per stretch of time in which loc keeps one UTC offset (one for
// UTC or a fixed zone, two a year with daylight saving time).
func fillLocalText(ctx context.Context, tx *sql.Tx, loc *time.Location, table, text, ms string) error {
	var lo, hi sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT MIN(`+ms+`), MAX(`+ms+`) FROM `+table+` WHERE `+ms+` > 0`).Scan(&lo, &hi); err != nil {
		return err
	}
	if !lo.Valid {
		return nil
	}
	update := `UPDATE ` + table + ` SET ` + text + ` = strftime('%Y-%m-%d %H:%M:%S', ` + ms + `/1000 + ?, 'unixepoch')
		WHERE ` + ms + ` >= ? AND ` + ms + ` < ?`
	from := lo.Int64
	for from <= hi.Int64 {
		t := time.UnixMilli(from).In(loc)
		_, offset := t.Zone()
		_, end := t.ZoneBounds()
		to := hi.Int64 + 1
		if !end.IsZero() && end.UnixMilli() < to {
			to = end.UnixMilli()
		}
		if _, err := tx.ExecContext(ctx, update, offset, from, to); err != nil {
			return err
		}
		from = to
	}
	return nil
}
