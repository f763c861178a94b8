// Package record holds the contracts every stage of clicktrail is written
// against: Record, Handler, Consumer, Producer and BatchOptions, and the
// dead-letter record (DeadLetter and its headers).
//
// It is the Kafka-free half of package ingest: ingest implements Consumer
// and Producer over the local spool and over Kafka (franz-go), and
// re-exports these types under the same names; stages and sinks
// (sinks/..., attribution/stage, internal/stage) import this package
// instead, so that none of them pulls franz-go or pebble (a test in
// internal/app checks it). It imports only the standard library.
package record
