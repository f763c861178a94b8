package schemas

// Topic names. The suffix is the major version of the payload they carry.
const (
	// TopicClicksRaw carries RawClick, keyed by link id. It holds the raw IP
	// and is read only by enrich; its retention should be short.
	TopicClicksRaw = "clicks.raw.v1"
	// TopicClicksEnriched carries EnrichedClick, keyed by link id.
	TopicClicksEnriched = "clicks.enriched.v1"
	// TopicLinks is the compacted link table: LinkRecord, keyed by
	// LinkRecordKey (domain/path).
	TopicLinks = "links.v1"
	// DeadLetterSuffix is appended to a topic name to name its dead-letter
	// topic: records that could not be decoded or processed land there with
	// the error in their headers.
	DeadLetterSuffix = ".dlq"
)

// DeadLetterTopic names the dead-letter topic of topic.
func DeadLetterTopic(topic string) string { return topic + DeadLetterSuffix }
