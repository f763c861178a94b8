package analytics

import (
	"regexp"
	"strconv"
	"time"
)

// zoneName is what a tz parameter may look like: ClickHouse gets the name in
// its SQL, so anything else is refused even if Go knows it.
var zoneName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*$`)

// floor returns the start of the bucket of interval in zone holding t.
func floor(t time.Time, iv Interval, zone *time.Location) time.Time {
	if iv == Hour {
		return t.Truncate(time.Hour)
	}
	l := t.In(zone)
	d := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, zone)
	switch iv {
	case Week:
		d = d.AddDate(0, 0, -(int(d.Weekday())+6)%7)
	case Month:
		d = d.AddDate(0, 0, 1-d.Day())
	}
	return d
}

// ceil returns t if it starts a bucket, else the start of the next one.
func ceil(t time.Time, iv Interval, zone *time.Location) time.Time {
	f := floor(t, iv, zone)
	if f.Equal(t) {
		return f
	}
	return next(f, iv, zone)
}

// next returns the start of the bucket after the one starting at t.
func next(t time.Time, iv Interval, zone *time.Location) time.Time {
	l := t.In(zone)
	switch iv {
	case Hour:
		return t.Add(time.Hour)
	case Week:
		return time.Date(l.Year(), l.Month(), l.Day()+7, 0, 0, 0, 0, zone)
	case Month:
		return time.Date(l.Year(), l.Month()+1, 1, 0, 0, 0, 0, zone)
	default:
		return time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, zone)
	}
}

// bucketKey is the Reader's key of the bucket starting at t (see KeyBucket).
func bucketKey(t time.Time, iv Interval, zone *time.Location) string {
	if iv == Hour {
		return strconv.FormatInt(t.Unix(), 10)
	}
	return t.In(zone).Format(dateOnly)
}
