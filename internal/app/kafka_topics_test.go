package app

import (
	"testing"

	"github.com/clicktrail/clicktrail/schemas"
)

// TestDeadLetterTopicsExist: every topic a Kafka consumer of clicktrail
// reads has its dead-letter topic among those ensureTopics creates, since
// the stages dead-letter a bad record to DeadLetterTopic(its topic); a
// missing one fails the produce and stalls the consumer on that batch.
func TestDeadLetterTopicsExist(t *testing.T) {
	created := map[string]bool{}
	for _, s := range topicSpecs() {
		created[s.Name] = true
	}
	for _, consumed := range []string{
		rawTopic,                // enrich worker
		enrichedTopic,           // ClickHouse sink
		schemas.TopicLinkEvents, // ClickHouse sink's conversions consumer
		conversionsTopic,        // webhook sink's attribution
	} {
		if !created[consumed] || !created[schemas.DeadLetterTopic(consumed)] {
			t.Errorf("%s: created %v, its dead letters %v", consumed, created[consumed], created[schemas.DeadLetterTopic(consumed)])
		}
	}
}
