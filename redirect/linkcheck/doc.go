// Package linkcheck is the broken-destination checker: on a schedule it
// requests the destinations of every active short link (the link's
// destination_url, the http(s) destinations of its routing rules and its
// A/B variants) and reports, through Config.Emit, a
// link.destination_broken event when one stops working and a
// link.destination_recovered event when it works again. It emits only on a
// change of state, never the same alert twice, also across restarts.
//
// # What counts as broken
//
// A destination is failing when its host does not resolve, the connection
// or the TLS handshake fails, the request times out, it redirects more than
// Config.MaxRedirects times, or the final answer is 400 or above. 401, 403,
// 405 and 429 are the exceptions: they mean "alive but guarded" (a login
// wall, a bot wall in front of a working page, a method refused, a rate
// limit), and a page a visitor's browser can usually open. A destination
// becomes broken after Config.ConfirmFailures consecutive failures (two by
// default), so that one blip does not page anybody; one success ends it.
//
// Each check sends HEAD first and falls back to GET when HEAD is answered
// 400 or above or fails at the protocol level (many servers refuse or
// mishandle HEAD); a GET reads at most Config.MaxBodyBytes of the body.
// Redirects are followed, and every hop is connected through a guard that
// resolves the host itself, refuses it when any address is private,
// loopback, link-local or otherwise non-public, and connects to the address
// it checked (no second lookup, so DNS rebinding cannot slip through).
// A destination the guard refuses is neither broken nor healthy: it is
// recorded as blocked, counted in the Report, and nothing is emitted (the
// link API refuses such destinations when links are written; a host that
// moved into private space since is an operator's matter, not a customer
// alert).
//
// # No hammering
//
// Requests (every HEAD, GET and redirect hop) pass a global rate limit,
// Config.RatePerSecond, spaced evenly with no burst. At most one check is
// in flight per destination host name. A destination that works is checked
// again after Config.Interval (6 h by default); one that fails is retried
// after Config.BackoffBase, doubling with every further failure up to
// Config.BackoffMax. Identical destination URLs, in any number of links,
// are checked once per round. The rate bounds the work: checking N distinct
// destinations every Interval needs N / Interval requests per second (the
// default 10/s covers about 216,000 destinations per 6 h).
//
// # Rounds and state
//
// CheckOnce is one round: it pages through the links of every workspace
// with the link store's List (Config.PageSize links at a time, never the
// whole store in memory), checks the due destinations of each page, then
// compares each active link with what it was last told. Run repeats rounds
// every Config.RoundInterval. A round reads every link, so a store of 10M
// links costs 10M point reads per round: keep RoundInterval in minutes.
//
// State lives in its own pebble directory (Config.StateDir): per
// destination URL the last check, the consecutive failures, the broken
// flag and the next due time ("d/" keys), and per link the destinations it
// was told are broken ("l/" keys). An alert is recorded only after Emit
// returned nil and the record is synced, so a restart never repeats an
// alert and an Emit that failed is retried in the next round with the same
// Event.ID. Inactive (disabled, deleted, expired) links are not checked
// and their alert records are dropped; a changed destination drops the
// record of the old one without a recovered event.
//
// Wiring into webhooks (link.destination_broken subscriptions) is the
// caller's: Emit receives a ready Event.
package linkcheck
