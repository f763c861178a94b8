package linkcheck

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/clicktrail/clicktrail/redirect"
)

// round is the state of one CheckOnce.
type round struct {
	c     *Checker
	start time.Time
	rep   Report
}

// target is one checkable destination of a link.
type target struct {
	field string // e.g. "variants[1].destination_url"
	url   string
}

func (r *round) workspace(ctx context.Context, ws string) error {
	after := ""
	for {
		links, next, err := r.c.cfg.Links.List(ctx, redirect.ListQuery{
			WorkspaceID: ws, After: after, Limit: r.c.cfg.PageSize, IncludeDeleted: true,
		})
		if err != nil {
			return err
		}
		if err := r.page(ctx, links); err != nil {
			return err
		}
		if next == "" {
			return nil
		}
		after = next
	}
}

// pageLink is an active link of a page and its destinations.
type pageLink struct {
	link    *redirect.Link
	targets []target
}

// page checks the due destinations of one page of links, then settles
// each active link against them. The page is a barrier: its slowest check
// delays the next page, which keeps the memory of a round to one page.
func (r *round) page(ctx context.Context, links []*redirect.Link) error {
	now := r.c.cfg.Now()
	dests := map[string]*DestinationState{}
	var due []string
	var active []pageLink
	for _, l := range links {
		r.rep.Links++
		if l.Disabled || l.DeletedAt != nil || l.Expired(now) {
			if err := r.dropAlerts(l.ID); err != nil {
				return err
			}
			continue
		}
		r.rep.Active++
		pl := pageLink{link: l, targets: targets(l)}
		for _, t := range pl.targets {
			if dests[t.url] != nil {
				continue
			}
			st, known, err := r.c.state.destination(t.url)
			if err != nil {
				return err
			}
			if !known {
				st = DestinationState{URL: t.url}
			}
			dests[t.url] = &st
			if !now.Before(st.NextDue) && st.LastCheck.Before(r.start) {
				due = append(due, t.url)
			}
		}
		active = append(active, pl)
	}
	r.rep.Destinations += len(dests)
	outcomes := r.c.probeAll(ctx, due)
	if err := ctx.Err(); err != nil { // outcomes of cancelled checks are not failures
		return err
	}
	checked := r.c.cfg.Now()
	for i, u := range due {
		st := dests[u]
		st.record(outcomes[i], checked, &r.c.cfg)
		if outcomes[i].blocked() {
			r.rep.Blocked++
		}
		if err := r.c.state.putDestination(st); err != nil {
			return err
		}
	}
	r.rep.Probed += len(due)
	for _, pl := range active {
		if err := r.settle(ctx, pl, dests); err != nil {
			return err
		}
	}
	return nil
}

// targets lists the http(s) destinations of l, each once: the link's, its
// rules' (deep links to apps are skipped) and its variants'. expired_url
// is not checked: the link is active.
func targets(l *redirect.Link) []target {
	var out []target
	add := func(field, raw string) {
		if !checkable(raw) {
			return
		}
		for _, t := range out {
			if t.url == raw {
				return
			}
		}
		out = append(out, target{field: field, url: raw})
	}
	add("destination_url", l.DestinationURL)
	for i, rule := range l.Rules {
		add(fmt.Sprintf("rules[%d].destination_url", i), rule.DestinationURL)
	}
	for i, v := range l.Variants {
		add(fmt.Sprintf("variants[%d].destination_url", i), v.DestinationURL)
	}
	return out
}

func checkable(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return false
	}
	s := strings.ToLower(u.Scheme)
	return s == "http" || s == "https"
}

// probeAll checks urls with at most Config.Workers checks in flight and at
// most one per host name; outcomes are in the order of urls. A worker whose
// URL's host is busy waits for it rather than skipping ahead: simpler than
// a per-host queue, and a page with many URLs on one host is meant to be
// slow.
func (c *Checker) probeAll(ctx context.Context, urls []string) []outcome {
	out := make([]outcome, len(urls))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(c.cfg.Workers, len(urls)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = c.probeHost(ctx, urls[i])
			}
		}()
	}
	for i := range urls {
		select {
		case next <- i:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(next)
	wg.Wait()
	return out
}

// probeHost checks one destination while holding its host's slot.
func (c *Checker) probeHost(ctx context.Context, raw string) outcome {
	u, err := url.Parse(raw)
	if err != nil {
		return outcome{kind: kindHTTP, detail: "bad URL: " + err.Error()}
	}
	unlock, err := c.hosts.lock(ctx, strings.ToLower(u.Hostname()))
	if err != nil {
		return outcome{kind: kindTimeout, detail: err.Error()}
	}
	defer unlock()
	return c.probe(ctx, raw)
}

// settle compares one active link with the state of its destinations and
// emits what changed. An alert is recorded only once Emit accepted it.
func (r *round) settle(ctx context.Context, pl pageLink, dests map[string]*DestinationState) error {
	l := pl.link
	alerts, err := r.c.state.alerts(l.ID)
	if err != nil {
		return err
	}
	changed := false
	current := make(map[string]bool, len(pl.targets))
	for _, t := range pl.targets {
		current[destKey(t.url)] = true
	}
	for k := range alerts { // destinations the link no longer has
		if !current[k] {
			delete(alerts, k)
			changed = true
		}
	}
	for _, t := range pl.targets {
		st, k := dests[t.url], destKey(t.url)
		a, alerted := alerts[k]
		switch {
		case st.Broken && !alerted:
			ev := r.event(EventDestinationBroken, l, t, st, st.FailingSince)
			if r.emit(ctx, ev) {
				alerts[k] = alert{URL: t.url, Field: t.field, Since: st.FailingSince}
				changed = true
				r.rep.Broken++
			}
		case alerted && st.healthy():
			ev := r.event(EventDestinationRecovered, l, t, st, a.Since)
			if r.emit(ctx, ev) {
				delete(alerts, k)
				changed = true
				r.rep.Recovered++
			}
		}
	}
	if !changed {
		return nil
	}
	return r.c.state.putAlerts(l.ID, alerts)
}

// event builds the event of a transition; since (the start of the run of
// failures it is about) makes its id.
func (r *round) event(typ string, l *redirect.Link, t target, st *DestinationState, since time.Time) Event {
	return Event{
		ID:                  eventID(l.ID, t.url, typ, since),
		Type:                typ,
		Timestamp:           st.LastCheck,
		WorkspaceID:         l.WorkspaceID,
		LinkID:              l.ID,
		Domain:              l.Domain,
		Path:                l.Path,
		Tags:                slices.Clone(l.Tags),
		Field:               t.field,
		Destination:         t.url,
		Status:              st.Status,
		Error:               st.Error,
		ConsecutiveFailures: st.ConsecutiveFailures,
	}
}

func (r *round) emit(ctx context.Context, ev Event) bool {
	if err := r.c.cfg.Emit(ctx, ev); err != nil {
		r.rep.EmitErrors++
		r.c.log.Warn("link checker: emit failed; retried next round", "type", ev.Type, "link_id", ev.LinkID,
			"destination", ev.Destination, "err", err)
		return false
	}
	return true
}

// dropAlerts forgets the alerts of a link that is no longer active. It
// reads first so that inactive links without alerts cost no write.
func (r *round) dropAlerts(linkID string) error {
	alerts, err := r.c.state.alerts(linkID)
	if err != nil || len(alerts) == 0 {
		return err
	}
	return r.c.state.putAlerts(linkID, nil)
}
