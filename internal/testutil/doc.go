// Package testutil holds the helpers unit and integration tests share: a
// fake clock tests move by hand (Clock), polling a condition until a
// generous deadline (WaitFor, Eventually), and searching a data directory
// and logs for secrets in any encoding (FindSecrets).
//
// The deadline of a wait only bounds how long a broken test hangs; it is
// never a performance bound (the machines tests run on are shared and
// noisy). Where the real Kafka and ClickHouse are is internal/testenv's
// business, not this package's.
package testutil
