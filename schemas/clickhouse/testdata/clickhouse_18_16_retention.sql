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
    ts            DateTime('UTC'),
    workspace_id  String,
    link_id       String,
    domain        String,
    path          String,
    destination   String,
    ip_prefix     String,
    visitor_hash  UInt64,
    country       String,
    region        String,
    city          String,
    device_type   String,
    os            String,
    browser       String,
    bot           UInt8,
    bot_name      String,
    referrer_host String,
    language      String,
    utm_source    String,
    utm_medium    String,
    utm_campaign  String,
    utm_term      String,
    utm_content   String,
    tags          Array(String),
    metadata      Nested(key String, value String),
    contact_id    String,
    rule_id       String,
    variant       String,
    inserted_at   DateTime('UTC') DEFAULT now()
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(ts)
ORDER BY (workspace_id, link_id, ts, event_id);

ALTER TABLE analytics.clicks ADD COLUMN internal UInt8 DEFAULT 0 AFTER variant;

CREATE TABLE IF NOT EXISTS analytics.conversions
(
    event_id      UUID,
    name          String,
    occurred_at   DateTime('UTC'),
    workspace_id  String,
    link_id       String,
    domain        String,
    tags          Array(String),
    contact_id    String,
    external_id   String,
    amount        Int64,
    currency      String,
    metadata      Nested(key String, value String),
    matched_by    String,
    click_id      UUID,
    click_type    Enum8('click' = 1, 'qr_scan' = 2),
    clicked_at    DateTime('UTC'),
    utm_source    String,
    utm_medium    String,
    utm_campaign  String,
    utm_term      String,
    utm_content   String,
    country       String,
    device_type   String,
    referrer_host String,
    bot           UInt8,
    rule_id       String,
    variant       String,
    visitor_hash  UInt64,
    inserted_at   DateTime('UTC') DEFAULT now()
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (workspace_id, link_id, occurred_at, event_id);

CREATE TABLE IF NOT EXISTS analytics.clicks_hourly
(
    workspace_id String,
    link_id      String,
    hour         DateTime('UTC'),
    dim          String,
    value        String,
    bot          UInt8,
    internal     UInt8,
    clicks       AggregateFunction(uniqExact, UUID),
    visitors     AggregateFunction(uniqExact, UInt64)
)
ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(hour)
ORDER BY (workspace_id, dim, link_id, hour, value, bot, internal);

CREATE MATERIALIZED VIEW IF NOT EXISTS analytics.clicks_hourly_mv TO analytics.clicks_hourly AS
SELECT
    workspace_id, link_id, toStartOfHour(ts) AS hour, d.1 AS dim, d.2 AS value, bot, internal,
    uniqExactState(event_id) AS clicks, uniqExactState(visitor_hash) AS visitors
FROM analytics.clicks
ARRAY JOIN [('', ''), ('country', toString(country)), ('device', toString(device_type)), ('os', toString(os)), ('browser', toString(browser)), ('referrer', toString(referrer_host)), ('utm_source', toString(utm_source)), ('utm_medium', toString(utm_medium)), ('utm_campaign', toString(utm_campaign)), ('variant', toString(variant)), ('rule', toString(rule_id))] AS d
GROUP BY workspace_id, link_id, hour, dim, value, bot, internal;

INSERT INTO analytics.clicks_hourly (workspace_id, link_id, hour, dim, value, bot, internal, clicks, visitors)
SELECT
    workspace_id, link_id, toStartOfHour(ts) AS hour, d.1 AS dim, d.2 AS value, bot, internal,
    uniqExactState(event_id) AS clicks, uniqExactState(visitor_hash) AS visitors
FROM analytics.clicks
ARRAY JOIN [('', ''), ('country', toString(country)), ('device', toString(device_type)), ('os', toString(os)), ('browser', toString(browser)), ('referrer', toString(referrer_host)), ('utm_source', toString(utm_source)), ('utm_medium', toString(utm_medium)), ('utm_campaign', toString(utm_campaign)), ('variant', toString(variant)), ('rule', toString(rule_id))] AS d
GROUP BY workspace_id, link_id, hour, dim, value, bot, internal;

CREATE TABLE IF NOT EXISTS analytics.clicks_daily
(
    workspace_id String,
    link_id      String,
    day          Date,
    dim          String,
    value        String,
    bot          UInt8,
    internal     UInt8,
    clicks       AggregateFunction(uniqExact, UUID),
    visitors     AggregateFunction(uniqExact, UInt64)
)
ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(day)
ORDER BY (workspace_id, dim, link_id, day, value, bot, internal);

CREATE MATERIALIZED VIEW IF NOT EXISTS analytics.clicks_daily_mv TO analytics.clicks_daily AS
SELECT
    workspace_id, link_id, toDate(ts) AS day, d.1 AS dim, d.2 AS value, bot, internal,
    uniqExactState(event_id) AS clicks, uniqExactState(visitor_hash) AS visitors
FROM analytics.clicks
ARRAY JOIN [('', ''), ('country', toString(country)), ('device', toString(device_type)), ('os', toString(os)), ('browser', toString(browser)), ('referrer', toString(referrer_host)), ('utm_source', toString(utm_source)), ('utm_medium', toString(utm_medium)), ('utm_campaign', toString(utm_campaign)), ('variant', toString(variant)), ('rule', toString(rule_id))] AS d
GROUP BY workspace_id, link_id, day, dim, value, bot, internal;

INSERT INTO analytics.clicks_daily (workspace_id, link_id, day, dim, value, bot, internal, clicks, visitors)
SELECT
    workspace_id, link_id, toDate(ts) AS day, d.1 AS dim, d.2 AS value, bot, internal,
    uniqExactState(event_id) AS clicks, uniqExactState(visitor_hash) AS visitors
FROM analytics.clicks
ARRAY JOIN [('', ''), ('country', toString(country)), ('device', toString(device_type)), ('os', toString(os)), ('browser', toString(browser)), ('referrer', toString(referrer_host)), ('utm_source', toString(utm_source)), ('utm_medium', toString(utm_medium)), ('utm_campaign', toString(utm_campaign)), ('variant', toString(variant)), ('rule', toString(rule_id))] AS d
GROUP BY workspace_id, link_id, day, dim, value, bot, internal;

CREATE TABLE IF NOT EXISTS analytics.conversions_hourly
(
    workspace_id String,
    link_id      String,
    hour         DateTime('UTC'),
    dim          String,
    value        String,
    bot          UInt8,
    currency     String,
    conversions  AggregateFunction(uniqExact, UUID),
    revenue      AggregateFunction(groupUniqArray, Tuple(UUID, Int64))
)
ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(hour)
ORDER BY (workspace_id, dim, link_id, hour, value, bot, currency);

CREATE MATERIALIZED VIEW IF NOT EXISTS analytics.conversions_hourly_mv TO analytics.conversions_hourly AS
SELECT
    workspace_id, link_id, toStartOfHour(occurred_at) AS hour, d.1 AS dim, d.2 AS value, bot, currency,
    uniqExactState(event_id) AS conversions, groupUniqArrayState((event_id, amount)) AS revenue
FROM analytics.conversions
ARRAY JOIN [('', ''), ('country', toString(country)), ('device', toString(device_type)), ('referrer', toString(referrer_host)), ('utm_source', toString(utm_source)), ('utm_medium', toString(utm_medium)), ('utm_campaign', toString(utm_campaign)), ('variant', toString(variant)), ('rule', toString(rule_id))] AS d
GROUP BY workspace_id, link_id, hour, dim, value, bot, currency;

INSERT INTO analytics.conversions_hourly (workspace_id, link_id, hour, dim, value, bot, currency, conversions, revenue)
SELECT
    workspace_id, link_id, toStartOfHour(occurred_at) AS hour, d.1 AS dim, d.2 AS value, bot, currency,
    uniqExactState(event_id) AS conversions, groupUniqArrayState((event_id, amount)) AS revenue
FROM analytics.conversions
ARRAY JOIN [('', ''), ('country', toString(country)), ('device', toString(device_type)), ('referrer', toString(referrer_host)), ('utm_source', toString(utm_source)), ('utm_medium', toString(utm_medium)), ('utm_campaign', toString(utm_campaign)), ('variant', toString(variant)), ('rule', toString(rule_id))] AS d
GROUP BY workspace_id, link_id, hour, dim, value, bot, currency;

CREATE TABLE IF NOT EXISTS analytics.conversions_daily
(
    workspace_id String,
    link_id      String,
    day          Date,
    dim          String,
    value        String,
    bot          UInt8,
    currency     String,
    conversions  AggregateFunction(uniqExact, UUID),
    revenue      AggregateFunction(groupUniqArray, Tuple(UUID, Int64))
)
ENGINE = AggregatingMergeTree()
PARTITION BY toYYYYMM(day)
ORDER BY (workspace_id, dim, link_id, day, value, bot, currency);

CREATE MATERIALIZED VIEW IF NOT EXISTS analytics.conversions_daily_mv TO analytics.conversions_daily AS
SELECT
    workspace_id, link_id, toDate(occurred_at) AS day, d.1 AS dim, d.2 AS value, bot, currency,
    uniqExactState(event_id) AS conversions, groupUniqArrayState((event_id, amount)) AS revenue
FROM analytics.conversions
ARRAY JOIN [('', ''), ('country', toString(country)), ('device', toString(device_type)), ('referrer', toString(referrer_host)), ('utm_source', toString(utm_source)), ('utm_medium', toString(utm_medium)), ('utm_campaign', toString(utm_campaign)), ('variant', toString(variant)), ('rule', toString(rule_id))] AS d
GROUP BY workspace_id, link_id, day, dim, value, bot, currency;

INSERT INTO analytics.conversions_daily (workspace_id, link_id, day, dim, value, bot, currency, conversions, revenue)
SELECT
    workspace_id, link_id, toDate(occurred_at) AS day, d.1 AS dim, d.2 AS value, bot, currency,
    uniqExactState(event_id) AS conversions, groupUniqArrayState((event_id, amount)) AS revenue
FROM analytics.conversions
ARRAY JOIN [('', ''), ('country', toString(country)), ('device', toString(device_type)), ('referrer', toString(referrer_host)), ('utm_source', toString(utm_source)), ('utm_medium', toString(utm_medium)), ('utm_campaign', toString(utm_campaign)), ('variant', toString(variant)), ('rule', toString(rule_id))] AS d
GROUP BY workspace_id, link_id, day, dim, value, bot, currency;
