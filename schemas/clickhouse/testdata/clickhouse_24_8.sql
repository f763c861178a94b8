CREATE TABLE IF NOT EXISTS analytics.schema_migrations
(
    version    UInt32,
    applied_at DateTime('UTC') DEFAULT now()
)
ENGINE = ReplacingMergeTree()
ORDER BY version;

CREATE TABLE IF NOT EXISTS analytics.clicks
(
    event_id      UUID,
    type          Enum8('click' = 1, 'qr_scan' = 2),
    ts            DateTime('UTC') CODEC(Delta, ZSTD(1)),
    workspace_id  LowCardinality(String),
    link_id       String,
    domain        LowCardinality(String),
    path          String,
    destination   String CODEC(ZSTD(1)),
    ip_prefix     String,
    visitor_hash  UInt64,
    country       LowCardinality(String),
    region        LowCardinality(String),
    city          LowCardinality(String),
    device_type   LowCardinality(String),
    os            LowCardinality(String),
    browser       LowCardinality(String),
    bot           UInt8,
    bot_name      LowCardinality(String),
    referrer_host LowCardinality(String),
    language      LowCardinality(String),
    utm_source    LowCardinality(String),
    utm_medium    LowCardinality(String),
    utm_campaign  LowCardinality(String),
    utm_term      String,
    utm_content   String,
    tags          Array(String),
    metadata      Nested(key String, value String),
    contact_id    String,
    rule_id       LowCardinality(String),
    variant       LowCardinality(String),
    inserted_at   DateTime('UTC') DEFAULT now()
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(ts)
ORDER BY (workspace_id, link_id, ts, event_id)
TTL ts + INTERVAL 90 DAY;

ALTER TABLE analytics.clicks ADD COLUMN IF NOT EXISTS internal UInt8 DEFAULT 0 AFTER variant;

CREATE TABLE IF NOT EXISTS analytics.conversions
(
    event_id      UUID,
    name          LowCardinality(String),
    occurred_at   DateTime('UTC') CODEC(Delta, ZSTD(1)),
    workspace_id  LowCardinality(String),
    link_id       String,
    domain        LowCardinality(String),
    tags          Array(String),
    contact_id    String,
    external_id   String,
    amount        Int64,
    currency      LowCardinality(String),
    metadata      Nested(key String, value String),
    matched_by    LowCardinality(String),
    click_id      UUID,
    click_type    Enum8('click' = 1, 'qr_scan' = 2),
    clicked_at    DateTime('UTC'),
    utm_source    LowCardinality(String),
    utm_medium    LowCardinality(String),
    utm_campaign  LowCardinality(String),
    utm_term      String,
    utm_content   String,
    country       LowCardinality(String),
    device_type   LowCardinality(String),
    referrer_host LowCardinality(String),
    bot           UInt8,
    rule_id       LowCardinality(String),
    variant       LowCardinality(String),
    visitor_hash  UInt64,
    inserted_at   DateTime('UTC') DEFAULT now()
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (workspace_id, link_id, occurred_at, event_id);

CREATE TABLE IF NOT EXISTS analytics.clicks_hourly
(
    workspace_id LowCardinality(String),
    link_id      String,
    hour         DateTime('UTC'),
    dim          LowCardinality(String),
    value        String,
    bot          UInt8,
    internal     UInt8,
    clicks       UInt64,
    visitors     AggregateFunction(uniqExact, UInt64),
    version      UInt64
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(hour)
ORDER BY (workspace_id, dim, link_id, hour, value, bot, internal);

CREATE TABLE IF NOT EXISTS analytics.clicks_rollup_watermark
(
    name  String,
    until DateTime('UTC')
)
ENGINE = ReplacingMergeTree(until)
ORDER BY name;

CREATE TABLE IF NOT EXISTS analytics.conversions_hourly
(
    workspace_id LowCardinality(String),
    link_id      String,
    hour         DateTime('UTC'),
    dim          LowCardinality(String),
    value        String,
    bot          UInt8,
    currency     LowCardinality(String),
    conversions  UInt64,
    revenue      Int64,
    version      UInt64
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(hour)
ORDER BY (workspace_id, dim, link_id, hour, value, bot, currency);
