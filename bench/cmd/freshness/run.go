package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/clicktrail/clicktrail/client"
)

// run does one measurement and prints it; ok is false when a click is
// missing, a signature failed or a redirect failed.
func run(ctx context.Context, c config) (ok bool, err error) {
	rc := newReceiver()
	hookURL, stopReceiver, err := rc.serve(c.receiverAddr)
	if err != nil {
		return false, fmt.Errorf("webhook receiver: %w", err)
	}
	defer stopReceiver()
	api, err := client.New(c.api, c.key)
	if err != nil {
		return false, err
	}
	secret, err := registerEndpoint(ctx, api, hookURL)
	if err != nil {
		return false, err
	}
	rc.setSecret(secret)
	links, err := createLinks(ctx, api, strconv.FormatInt(time.Now().Unix()%1_000_000, 36), c.links)
	if err != nil {
		return false, err
	}

	var rows *rowWatcher
	if c.clickhouseDSN != "" {
		if rows, err = openRowWatcher(ctx, c.clickhouseDSN, links); err != nil {
			return false, err
		}
		defer func() {
			if cerr := rows.close(context.Background(), c.chDrop); cerr != nil && err == nil {
				err = cerr
			}
		}()
	}
	pollCtx, stopPolling := context.WithCancel(ctx)
	polling := make(chan struct{})
	go func() {
		defer close(polling)
		if rows != nil {
			rows.run(pollCtx, c.chPoll)
		}
	}()
	defer func() { stopPolling(); <-polling }() // before rows.close

	s := newSender(c, links)
	fmt.Fprintf(os.Stderr, "== sending %d clicks at %v/s over %v to %s (%d links)\n",
		int(c.rate*c.duration.Seconds()), c.rate, c.duration, c.redirect, len(links))
	start := time.Now()
	s.run(ctx)
	sentFor := time.Since(start)

	// Wait for the stragglers: every sent click delivered and visible.
	s.mu.Lock()
	want := len(s.sent)
	s.mu.Unlock()
	deadline := time.Now().Add(c.wait)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if rc.count() >= want && (rows == nil || rows.count() >= want) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	stopPolling()
	<-polling
	return report(c, s, rc, rows, sentFor), nil
}

// report prints the measurement and tells whether it passed.
func report(c config, s *sender, rc *receiver, rows *rowWatcher, sentFor time.Duration) bool {
	s.mu.Lock()
	sent, sendErrs, sendErr, lag := s.sent, s.errs, s.errMsg, s.maxLag
	s.mu.Unlock()
	arrived, dups, bad, lastBad := rc.snapshot()
	hook, hookMissing := latencies(sent, arrived)

	w := os.Stdout
	fmt.Fprintf(w, "freshness: %d clicks sent in %v (%.0f/s asked, %.0f/s achieved, worst send lag %v), %d links\n",
		len(sent), sentFor.Round(time.Millisecond), c.rate, float64(len(sent))/sentFor.Seconds(), lag.Round(time.Millisecond), c.links)
	fmt.Fprintf(w, "%-24s %7s %9s %9s %9s %9s\n", "latency (ms)", "count", "p50", "p90", "p99", "max")
	printRow(w, "click -> webhook", hook)
	var visible []time.Duration
	visMissing := 0
	if rows != nil {
		seen, polls, meanQuery := rows.snapshot()
		visible, visMissing = latencies(sent, seen)
		printRow(w, "click -> clickhouse row", visible)
		fmt.Fprintf(w, "clickhouse: %d visible, %d missing (polled every %v, %d polls, mean query %v; a row is timed when the poll that saw it ended)\n",
			len(visible), visMissing, c.chPoll, polls, meanQuery.Round(100*time.Microsecond))
	}
	fmt.Fprintf(w, "webhooks: %d sent, %d delivered, %d missing, %d duplicates, %d bad signatures or payloads\n",
		len(sent), len(hook), hookMissing, dups, bad)
	if bad > 0 {
		fmt.Fprintf(w, "  last bad message: %s\n", lastBad)
	}
	if sendErrs > 0 {
		fmt.Fprintf(w, "redirects: %d failed; last: %s\n", sendErrs, sendErr)
	}
	verdict := func(ds []time.Duration) string {
		if len(ds) == 0 {
			return "n/a"
		}
		if percentile(ds, 99) < time.Second {
			return "yes"
		}
		return "NO"
	}
	fmt.Fprintf(w, "p99 under 1 s: webhook %s", verdict(hook))
	if rows != nil {
		fmt.Fprintf(w, ", clickhouse %s", verdict(visible))
	}
	fmt.Fprintln(w)
	return hookMissing == 0 && visMissing == 0 && bad == 0 && sendErrs == 0 && len(sent) > 0
}
