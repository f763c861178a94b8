package alert

import "time"

// ThresholdData is the data of alert.threshold.
type ThresholdData struct {
	Link
	// Threshold is the configured click count, Clicks the count reached
	// (equal to it: the event fires at the crossing).
	Threshold   int       `json:"threshold"`
	Clicks      int       `json:"clicks"`
	WindowStart time.Time `json:"window_start"`
	WindowEnd   time.Time `json:"window_end"`
}

// ThresholdState counts the clicks of the current threshold window.
type ThresholdState struct {
	Window int64 `json:"window"` // nanoseconds
	Start  int64 `json:"start"`  // Unix nanoseconds
	Count  int   `json:"count"`
	Fired  bool  `json:"fired"`
}

func (s *State) threshold(cfg *Threshold) *ThresholdState {
	w := int64(cfg.Window)
	if s.Threshold == nil || s.Threshold.Window != w {
		s.Threshold = &ThresholdState{Window: w}
	}
	return s.Threshold
}

// add counts a click at t and reports the event when it is the one that
// reaches the threshold in its window. A click of a past window is not
// counted: that window's decision was made.
func (ts *ThresholdState) add(l Link, cfg Threshold, t time.Time) (Event, bool) {
	start := windowStart(t, ts.Window)
	switch {
	case start < ts.Start:
		return Event{}, false
	case start > ts.Start:
		*ts = ThresholdState{Window: ts.Window, Start: start}
	}
	ts.Count++
	if ts.Fired || ts.Count < cfg.Clicks {
		return Event{}, false
	}
	ts.Fired = true
	return Event{
		Type: EventThreshold, Key: eventKey(EventThreshold, start), Time: t,
		Data: ThresholdData{Link: l, Threshold: cfg.Clicks, Clicks: ts.Count,
			WindowStart: unixTime(start), WindowEnd: unixTime(start + ts.Window)},
	}, true
}
