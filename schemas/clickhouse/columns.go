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

// ConversionColumns are the columns of the conversions table the writer
// inserts, in the order it appends values (inserted_at is the server's
// DEFAULT); TestColumnsMatchDDL keeps them in step with the template.
var ConversionColumns = []string{
	"event_id", "name", "occurred_at", "workspace_id", "link_id", "domain", "tags",
	"contact_id", "external_id", "amount", "currency", "metadata.key", "metadata.value",
	"matched_by", "click_id", "click_type", "clicked_at",
	"utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content",
	"country", "device_type", "referrer_host", "bot", "rule_id", "variant", "visitor_hash",
}
