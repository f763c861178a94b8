// Package seal encrypts the secrets clicktrail must keep to use them (the
// webhook sink's endpoint signing secrets, bulk jobs' callback secrets)
// with an AEAD (AES-256-GCM with random nonces) under a key ring given by
// configuration, so that a copy of a data directory, a backup or a stray
// pebble file discloses none of them (docs/adr/007-secrets-at-rest.md).
//
// A sealed value is text, "sealed:v1:<key id>:<base64url(nonce|ciphertext)>",
// bound to a context (the record it belongs to: "webhook endpoint ep_..."),
// so it cannot be moved to another record. The ring seals with its first
// key and opens with any: rotate by putting a new key first and keeping the
// old ones until every record is sealed again (Current tells).
//
// Secrets that only need to be recognized (API keys) are hashed, not
// sealed: that is linkapi/tenancy. Used by sinks/webhook and linkapi;
// internal/app builds the ring from configuration (LoadOrCreateKey for a
// data directory's own key).
package seal
