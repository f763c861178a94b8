package alert

import "time"

// SpikeData is the data of alert.spike.
type SpikeData struct {
	Link
	// Clicks is the count of the current window when the event fired.
	Clicks int `json:"clicks"`
	// Baseline is the mean count of the BaselineWindows windows before
	// it (fewer when the endpoint has observed fewer complete windows).
	Baseline        float64   `json:"baseline"`
	BaselineWindows int       `json:"baseline_windows"`
	Factor          float64   `json:"factor"`
	MinClicks       int       `json:"min_clicks"`
	WindowStart     time.Time `json:"window_start"`
	WindowEnd       time.Time `json:"window_end"`
}

// SpikeState holds the click counts of the current spike window and of
// the windows before it.
type SpikeState struct {
	Window int64 `json:"window"` // nanoseconds
	Start  int64 `json:"start"`  // Unix nanoseconds of the current window
	// Counts[0] is the current window's count, Counts[i] that of i
	// windows before; len is BaselineWindows+1.
	Counts []int `json:"counts"`
	Fired  bool  `json:"fired"`
}

func (s *State) spike(cfg *Spike) *SpikeState {
	w := int64(cfg.Window)
	if s.Spike == nil || s.Spike.Window != w || len(s.Spike.Counts) != cfg.BaselineWindows+1 {
		s.Spike = &SpikeState{Window: w, Counts: make([]int, cfg.BaselineWindows+1)}
	}
	return s.Spike
}

// add counts a click at t and reports the event when it makes the current
// window a spike for the first time. A click of a past window still in
// the baseline is counted there.
func (ss *SpikeState) add(l Link, cfg Spike, since, t time.Time) (Event, bool) {
	start := windowStart(t, ss.Window)
	if start < ss.Start {
		if i := (ss.Start - start) / ss.Window; i < int64(len(ss.Counts)) {
			ss.Counts[i]++
		}
		return Event{}, false
	}
	if start > ss.Start {
		shift := (start - ss.Start) / ss.Window
		if ss.Start == 0 || shift >= int64(len(ss.Counts)) {
			clear(ss.Counts)
		} else {
			copy(ss.Counts[shift:], ss.Counts[:int64(len(ss.Counts))-shift])
			clear(ss.Counts[:shift])
		}
		ss.Start, ss.Fired = start, false
	}
	ss.Counts[0]++
	n := ss.observed(since)
	if ss.Fired || n == 0 || ss.Counts[0] < cfg.MinClicks {
		return Event{}, false
	}
	sum := 0
	for _, c := range ss.Counts[1 : n+1] {
		sum += c
	}
	baseline := float64(sum) / float64(n)
	if float64(ss.Counts[0]) <= cfg.Factor*baseline {
		return Event{}, false
	}
	ss.Fired = true
	return Event{
		Type: EventSpike, Key: eventKey(EventSpike, start), Time: t,
		Data: SpikeData{Link: l, Clicks: ss.Counts[0], Baseline: baseline, BaselineWindows: n,
			Factor: cfg.Factor, MinClicks: cfg.MinClicks,
			WindowStart: unixTime(start), WindowEnd: unixTime(start + ss.Window)},
	}, true
}

// observed returns how many complete windows before the current one the
// endpoint observed (started at or after since), at most the baseline's
// length. Without one there is no baseline and no spike: a link is not
// "spiking" on the first window anyone watched.
func (ss *SpikeState) observed(since time.Time) int {
	first := windowStart(since, ss.Window)
	if first < since.UnixNano() {
		first += ss.Window // since fell inside a window: it was partial
	}
	n := (ss.Start - first) / ss.Window
	return int(max(0, min(n, int64(len(ss.Counts)-1))))
}
