package analytics

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Limits of the query parameters.
const (
	DefaultRange  = 30 * 24 * time.Hour
	MaxHourRange  = 31 * 24 * time.Hour // an hour series has at most 744 points
	MaxRange      = 3 * 366 * 24 * time.Hour
	DefaultTop    = 10
	MaxTop        = 100
	dateOnly      = "2006-01-02"
	paramInterval = "interval"
)

// ParamError is a bad query parameter: the API answers 400 naming it.
type ParamError struct {
	Param, Message string
}

func (e *ParamError) Error() string { return "parameter " + e.Param + ": " + e.Message }

// params are the parsed query parameters common to both routes.
type params struct {
	from, to time.Time
	interval Interval
	zone     *time.Location
	bots     BotFilter
	groupBy  string
	limit    int
}

// parseParams reads and validates the query parameters allowed names
// lists; unknown ones are refused too. now is the default end.
func parseParams(q url.Values, allowed []string, now time.Time) (params, error) {
	for name, vs := range q {
		if !slices.Contains(allowed, name) {
			return params{}, &ParamError{name, "unknown parameter (known: " + strings.Join(allowed, ", ") + ")"}
		}
		if len(vs) > 1 {
			return params{}, &ParamError{name, "given more than once"}
		}
	}
	p := params{interval: Day, zone: time.UTC, bots: BotsExclude, limit: DefaultTop}
	if tz := q.Get("tz"); tz != "" {
		loc, err := time.LoadLocation(tz)
		if err != nil || tz == "Local" || !zoneName.MatchString(tz) {
			return p, &ParamError{"tz", fmt.Sprintf("%q is not an IANA time zone (Europe/Berlin, UTC)", tz)}
		}
		p.zone = loc
	}
	if v := q.Get(paramInterval); v != "" {
		p.interval = Interval(v)
		if !slices.Contains([]Interval{Hour, Day, Week, Month}, p.interval) {
			return p, &ParamError{paramInterval, fmt.Sprintf("want hour, day, week or month, got %q", v)}
		}
	}
	if v := q.Get("bots"); v != "" {
		p.bots = BotFilter(v)
		if !slices.Contains([]BotFilter{BotsExclude, BotsInclude, BotsOnly}, p.bots) {
			return p, &ParamError{"bots", fmt.Sprintf("want exclude, include or only, got %q", v)}
		}
	}
	if v := q.Get("group_by"); v != "" {
		if !slices.Contains(Dimensions(), v) {
			return p, &ParamError{"group_by", fmt.Sprintf("want one of %s, got %q", strings.Join(Dimensions(), ", "), v)}
		}
		p.groupBy = v
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxTop {
			return p, &ParamError{"limit", fmt.Sprintf("want an integer from 1 to %d, got %q", MaxTop, v)}
		}
		p.limit = n
	}
	var err error
	p.to = now
	if v := q.Get("to"); v != "" {
		if p.to, err = parseTime(v, p.zone); err != nil {
			return p, &ParamError{"to", err.Error()}
		}
	}
	p.from = p.to.Add(-DefaultRange)
	if v := q.Get("from"); v != "" {
		if p.from, err = parseTime(v, p.zone); err != nil {
			return p, &ParamError{"from", err.Error()}
		}
	}
	p.from, p.to = floor(p.from, p.interval, p.zone), ceil(p.to, p.interval, p.zone)
	switch span := p.to.Sub(p.from); {
	case !p.from.Before(p.to):
		return p, &ParamError{"from", "must be before to"}
	case p.interval == Hour && span > MaxHourRange:
		return p, &ParamError{paramInterval, "hour covers at most 31 days: use day, or a shorter range"}
	case span > MaxRange:
		return p, &ParamError{"from", "the range covers at most 3 years"}
	case p.from.Year() < 1971 || p.to.Year() > 2105:
		return p, &ParamError{"from", "outside the years ClickHouse dates hold (1971 to 2105)"}
	}
	return p, nil
}

// parseTime reads an RFC 3339 time or a date (the start of that day in zone).
func parseTime(v string, zone *time.Location) (time.Time, error) {
	if t, err := time.ParseInLocation(dateOnly, v, zone); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("want an RFC 3339 time (2026-03-01T00:00:00Z) or a date (2026-03-01), got %q", v)
	}
	return t, nil
}
