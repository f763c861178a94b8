// Package stage is the attribution stage: Clicks indexes enriched clicks
// in an attribution.Attributor and Conversions credits conversions to
// them; each credited conversion becomes a conversion.attributed link
// event (schemas.AttributedConversion) that the webhook stage delivers
// and the ClickHouse conversions stage stores.
//
// The index itself (pebble, windows, parked conversions) is package
// attribution's; this package only turns records into its calls and its
// answers into records. Its topics and groups are listed in
// internal/app/stages.go. It imports no Kafka client.
package stage
