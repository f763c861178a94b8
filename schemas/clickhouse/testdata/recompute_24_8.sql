INSERT INTO analytics.clicks_hourly (workspace_id, link_id, hour, dim, value, bot, internal, clicks, visitors, version)
SELECT
    workspace_id, link_id, hour, d.1 AS dim, d.2 AS value, bot, internal,
    count() AS clicks, uniqExactState(visitor_hash) AS visitors, toUInt64(1772370000) AS version
FROM
(
    SELECT workspace_id, link_id, toStartOfHour(ts) AS hour, bot, internal, visitor_hash, country, device_type, os, browser, referrer_host, utm_source, utm_medium, utm_campaign, variant, rule_id
    FROM analytics.clicks FINAL
    WHERE ts >= toDateTime('2026-03-01 10:00:00', 'UTC') AND ts < toDateTime('2026-03-01 13:00:00', 'UTC')
)
ARRAY JOIN [('', ''), ('country', toString(country)), ('device', toString(device_type)), ('os', toString(os)), ('browser', toString(browser)), ('referrer', toString(referrer_host)), ('utm_source', toString(utm_source)), ('utm_medium', toString(utm_medium)), ('utm_campaign', toString(utm_campaign)), ('variant', toString(variant)), ('rule', toString(rule_id))] AS d
GROUP BY workspace_id, link_id, hour, dim, value, bot, internal;

INSERT INTO analytics.clicks_hourly (workspace_id, link_id, hour, dim, value, bot, internal, clicks, visitors, version)
SELECT
    workspace_id, link_id, hour, dim, value, bot, internal,
    toUInt64(0), uniqExactStateIf(toUInt64(0), 0), toUInt64(1772370000)
FROM analytics.clicks_hourly
WHERE hour >= toDateTime('2026-03-01 10:00:00', 'UTC') AND hour < toDateTime('2026-03-01 13:00:00', 'UTC')
GROUP BY workspace_id, link_id, hour, dim, value, bot, internal
HAVING max(version) < 1772370000 AND argMax(clicks, version) > 0;

INSERT INTO analytics.conversions_hourly (workspace_id, link_id, hour, dim, value, bot, currency, conversions, revenue, version)
SELECT
    workspace_id, link_id, hour, d.1 AS dim, d.2 AS value, bot, currency,
    count() AS conversions, sum(amount) AS revenue, toUInt64(1772370000) AS version
FROM
(
    SELECT workspace_id, link_id, toStartOfHour(occurred_at) AS hour, bot, currency, amount, country, device_type, referrer_host, utm_source, utm_medium, utm_campaign, variant, rule_id
    FROM analytics.conversions FINAL
    WHERE occurred_at >= toDateTime('2026-03-01 10:00:00', 'UTC') AND occurred_at < toDateTime('2026-03-01 13:00:00', 'UTC')
)
ARRAY JOIN [('', ''), ('country', toString(country)), ('device', toString(device_type)), ('referrer', toString(referrer_host)), ('utm_source', toString(utm_source)), ('utm_medium', toString(utm_medium)), ('utm_campaign', toString(utm_campaign)), ('variant', toString(variant)), ('rule', toString(rule_id))] AS d
GROUP BY workspace_id, link_id, hour, dim, value, bot, currency;

INSERT INTO analytics.conversions_hourly (workspace_id, link_id, hour, dim, value, bot, currency, conversions, revenue, version)
SELECT
    workspace_id, link_id, hour, dim, value, bot, currency,
    toUInt64(0), toInt64(0), toUInt64(1772370000)
FROM analytics.conversions_hourly
WHERE hour >= toDateTime('2026-03-01 10:00:00', 'UTC') AND hour < toDateTime('2026-03-01 13:00:00', 'UTC')
GROUP BY workspace_id, link_id, hour, dim, value, bot, currency
HAVING max(version) < 1772370000 AND argMax(conversions, version) > 0;
