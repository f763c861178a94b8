// Package idempotency keeps the stored answers of the link API's requests
// that carried an Idempotency-Key: "k/<key hash>" records with a fingerprint
// of the request, and "kx/<expiry><key hash>" entries that order them for
// Sweep, in the link store's pebble database. A Store also holds the keys
// in flight in its process, so a sweep never deletes an answer being
// stored.
//
// The HTTP protocol (replay, 409 while in flight, 422 on another body) is
// linkapi's idempotent middleware; bulk items reuse ValidKey and MaxKeyLen
// for their per-item keys.
package idempotency
