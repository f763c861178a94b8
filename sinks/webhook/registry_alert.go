package webhook

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/clicktrail/clicktrail/sinks/webhook/alert"
)

// AlertTarget is an endpoint whose alert rules a click feeds.
type AlertTarget struct {
	Endpoint Endpoint
	// Rules are the rules of the alert events the endpoint subscribes to;
	// the others are nil. They are the registry's own (entries are replaced,
	// never changed in place): read them, do not change them.
	Rules alert.Config
	// Since is RegisteredEndpoint.AlertsSince, for alert.NewState.
	Since time.Time
}

// Rules returns a copy of the rules of e's alert subscriptions; the zero
// Config when it is disabled or subscribes to none.
func (e *RegisteredEndpoint) Rules() alert.Config { return e.sharedRules().Clone() }

// sharedRules is Rules without the copy: its pointers are e.Alerts', for
// ClickTargets, which runs per click under the registry's read lock.
func (e *RegisteredEndpoint) sharedRules() alert.Config {
	var c alert.Config
	threshold := slices.Contains(e.Events, alert.EventThreshold)
	spike := slices.Contains(e.Events, alert.EventSpike)
	digest := slices.Contains(e.Events, alert.EventDigest)
	if !e.Enabled || !threshold && !spike && !digest {
		return c
	}
	a := e.Alerts
	if threshold {
		c.Threshold = a.Threshold
	}
	if spike {
		c.Spike = a.Spike
	}
	if digest {
		c.Digest = a.Digest
	}
	return c
}

// AlertKey names the alert state of one endpoint and one link.
type AlertKey struct{ Endpoint, Link string }

// AlertPosition is a partition of an input log, whose applied offset the
// alert states are saved with.
type AlertPosition struct {
	Topic     string
	Partition int32
}

const (
	keyAlertState  = "al/"  // al/<endpoint>/<link>
	keyAlertOffset = "alo/" // alo/<partition>/<topic>
)

// AlertStates returns every stored alert state and, for each input
// partition, the offset of the last record the states include.
func (r *Registry) AlertStates() (map[AlertKey]*alert.State, map[AlertPosition]int64, error) {
	states := map[AlertKey]*alert.State{}
	err := r.scan(keyAlertState, func(k string, v []byte) error {
		ep, link, ok := strings.Cut(k, "/")
		if !ok {
			return fmt.Errorf("alert state key %q: want <endpoint>/<link>", k)
		}
		var st alert.State
		if err := json.Unmarshal(v, &st); err != nil {
			return fmt.Errorf("decode alert state %s: %w", k, err)
		}
		states[AlertKey{ep, link}] = &st
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	offsets := map[AlertPosition]int64{}
	err = r.scan(keyAlertOffset, func(k string, v []byte) error {
		p, topic, _ := strings.Cut(k, "/")
		part, err1 := strconv.ParseInt(p, 10, 32)
		off, err2 := strconv.ParseInt(string(v), 10, 64)
		if err := errors.Join(err1, err2); err != nil {
			return fmt.Errorf("decode alert offset %s: %w", k, err)
		}
		offsets[AlertPosition{topic, int32(part)}] = off
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return states, offsets, nil
}

// SaveAlertStates writes states (a nil state deletes its key) and offsets
// in one synced batch: after a crash the store holds the states and
// offsets of the same records, never the one without the other.
func (r *Registry) SaveAlertStates(states map[AlertKey]*alert.State, offsets map[AlertPosition]int64) error {
	if len(states) == 0 && len(offsets) == 0 {
		return nil
	}
	b := r.db.NewBatch()
	defer b.Close()
	for k, st := range states {
		if strings.Contains(k.Endpoint, "/") {
			return fmt.Errorf("save alert state: endpoint id %q has a slash", k.Endpoint)
		}
		key := []byte(keyAlertState + k.Endpoint + "/" + k.Link)
		if st == nil {
			if err := b.Delete(key, nil); err != nil {
				return fmt.Errorf("delete alert state %s/%s: %w", k.Endpoint, k.Link, err)
			}
			continue
		}
		v, err := json.Marshal(st)
		if err != nil {
			return fmt.Errorf("encode alert state %s/%s: %w", k.Endpoint, k.Link, err)
		}
		if err := b.Set(key, v, nil); err != nil {
			return fmt.Errorf("save alert state %s/%s: %w", k.Endpoint, k.Link, err)
		}
	}
	for p, off := range offsets {
		key := keyAlertOffset + strconv.Itoa(int(p.Partition)) + "/" + p.Topic
		if err := b.Set([]byte(key), strconv.AppendInt(nil, off, 10), nil); err != nil {
			return fmt.Errorf("save alert offset of %s/%d: %w", p.Topic, p.Partition, err)
		}
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("save %d alert states: %w", len(states), err)
	}
	return nil
}

// scan calls fn with every key under prefix (the prefix cut off) and its
// value, which is valid during the call only.
func (r *Registry) scan(prefix string, fn func(key string, v []byte) error) error {
	it, err := r.db.NewIter(&pebble.IterOptions{LowerBound: []byte(prefix), UpperBound: prefixEnd(prefix)})
	if err != nil {
		return fmt.Errorf("read %s: %w", prefix, err)
	}
	defer it.Close()
	for it.First(); it.Valid(); it.Next() {
		if err := fn(strings.TrimPrefix(string(it.Key()), prefix), it.Value()); err != nil {
			return err
		}
	}
	if err := it.Error(); err != nil {
		return fmt.Errorf("read %s: %w", prefix, err)
	}
	return nil
}
