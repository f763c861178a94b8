package clickhouse

// Columns are the columns the writer inserts, in the order it appends values
// to a batch (sinks/clickhouse row mapping). inserted_at is not listed: the
// server fills it with its DEFAULT. The clicks template declares the same
// columns; TestColumnsMatchDDL keeps the two in step.
var Columns = []string{
	"event_id", "type", "ts", "workspace_id", "link_id", "domain", "path", "destination",
	"ip_prefix", "visitor_hash",
	"country", "region", "city",
	"device_type", "os", "browser", "bot", "bot_name",
	"referrer_host", "language",
	"utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content",
	"tags", "metadata.key", "metadata.value",
	"contact_id", "rule_id", "variant",
	"internal", // migration 2
}
