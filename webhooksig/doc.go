// Package webhooksig signs and verifies webhook signatures the Standard Webhooks way
// (https://www.standardwebhooks.com, spec/standard-webhooks.md in
// github.com/standard-webhooks/standard-webhooks). clicktrail signs every
// webhook it sends with it, and customers import it to verify what they
// receive; it has no dependencies beyond the standard library.
//
// # Scheme
//
// A message carries three headers: webhook-id (the event id: the same on
// every retry and replay, so receivers use it as an idempotency key),
// webhook-timestamp (Unix seconds of the attempt, which changes on every
// retry) and webhook-signature, a space-separated list of
// "v1,<base64 HMAC-SHA256(key, id.timestamp.body)>". Signing with the current
// and the previous secret during a rotation yields two signatures; Verify
// accepts the message when any v1 signature matches any of the secrets it is
// given, compared in constant time. Other versions (v1a, ed25519) are
// ignored, not rejected.
//
// Secrets are "whsec_" followed by the base64 (standard alphabet, padded)
// of 24 to 64 random bytes; NewSecret makes 32-byte ones. The prefix is
// optional when parsing, as in the reference libraries.
//
// # Receiving
//
// Verify the raw body before parsing it, reject timestamps outside the
// tolerance (DefaultTolerance unless told otherwise) to stop replays, and
// deduplicate on webhook-id: delivery is at least once. See the receiver
// example.
//
// Sending (endpoints, retries, SSRF protection) lives in the clicktrail
// module's sinks/webhook package, not here. This package was called
// webhooks until it was renamed so that its name (signatures) and the
// sink's (delivery) could not be confused; it imports nothing of clicktrail,
// so receivers take nothing else with it.
package webhooksig
