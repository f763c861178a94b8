// Package enrich turns a raw click into an enriched click: the one place in
// clicktrail where a visitor's IP address is read and then discarded.
//
// An [Enricher] is a pure processor over [schemas] types. It does no I/O
// besides opening an optional MaxMind .mmdb database at construction; the
// Kafka consumer that feeds it and the producer that writes its output live
// in package ingest, the enrich stage's handler in internal/handler.
//
// # Privacy by construction
//
// The raw IP is used exactly twice and never copied into the output:
//
//  1. Geolocation uses the full address (city accuracy needs it).
//  2. The visitor hash is a keyed hash of the full address, user agent and
//     link domain.
//
// The output keeps only the truncated network (IPv4 /24, IPv6 /48) in
// IPPrefix. Errors about a bad address never echo it.
//
// # Visitor hash
//
// The hash is HMAC-SHA256 keyed by a per-day salt, truncated to 64 bits:
//
//	salt(day) = HMAC-SHA256(secret, "clicktrail/visitor-salt/" + YYYY-MM-DD)
//	hash      = uint64be(HMAC-SHA256(salt(day), ip || 0x00 || user agent || 0x00 || domain)[:8])
//
// where day is the UTC date of the click and ip is 4 bytes for IPv4
// (including IPv4-mapped IPv6) and 16 bytes for IPv6.
//
// Why a derived salt rather than a random one kept in a store: every enrich
// instance of a consumer group, and a replay of old clicks, computes the same
// salt without coordination or shared state, so the same visitor on the same
// day gets the same hash whichever instance processed the click. Why keyed:
// without the secret, nobody can reverse a hash by hashing all 2^32 IPv4
// addresses (or the 256 candidates behind a /24 prefix), which a plain
// SHA-256 of the IP allows. Why per day: hashes of different days come from
// unrelated salts, so they cannot be joined to follow a visitor across days.
//
// The trade-off against Plausible's scheme (random daily salts, deleted after
// two days): whoever holds the secret can recompute the salt of any past day
// and so test guesses against old hashes. Treat the secret like a signing key;
// rotating it makes all earlier salts unrecoverable, at the price of visitor
// counts not matching across the rotation day. Salts of the current and
// previous day are derived once and cached; clicks older than that (replays)
// derive their salt per click.
//
// # Device, OS and browser
//
// [ClassifyUserAgent] is a small table-driven classifier with no
// dependencies. Bots are flagged (Bot, BotName, device type "bot"), never
// dropped: link-preview fetchers inflate counts and analysts need to see and
// exclude them.
package enrich
