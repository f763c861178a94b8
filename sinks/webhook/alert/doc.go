// Package alert holds the webhook sink's alert rules, which send one
// message where per-click webhooks would send hundreds:
//
//   - threshold (alert.threshold): a link reaches Threshold.Clicks clicks
//     within one window: one event per link and window;
//   - spike (alert.spike): a link's clicks in the current window exceed
//     Spike.Factor times the mean of the previous Spike.BaselineWindows
//     windows, and are at least Spike.MinClicks: one event per link and
//     window;
//   - digest (click.digest): a link's clicks bundled into one message per
//     Digest.Every period, with counts by country, device class and
//     referrer host and the first Digest.MaxClicks clicks.
//
// The rules are pure and deterministic: a State changes only through
// Apply (one click) and Flush (time passed), and the only clock is the
// time they are given, the clicks' own timestamps or a watermark the
// caller derives from them. Nothing here starts a goroutine, reads the
// wall clock or does I/O, so the same stream of clicks always gives the
// same events, with the same Event.Key, whatever restarts happen between
// them (the caller persists States; they encode to JSON).
//
// Windows are tumbling: aligned to multiples of their length since the
// Unix epoch (a one-hour window runs from hh:00 to hh+1:00 UTC). A sliding
// window would alert earlier on a burst across a boundary, but needs every
// click's time in the state; aligned windows need one counter, and give
// each event a stable key (type and window start) to derive a webhook id
// from, so a redelivered batch re-sends the same id.
//
// What lives elsewhere: which clicks reach a State (endpoint filters,
// exclusion of bots, internal traffic and tags) is decided by package
// webhook's Filters; persisting States and delivering Events is the
// webhook stage's (sinks/webhook/stage).
package alert
