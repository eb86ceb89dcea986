-- Daily rollup: per target and UTC day (midnight, Unix ms), how long it
-- was down (incident outages), in maintenance and unknown (feed
-- unreachable), each the union of that class's outages within the day and
-- never counted twice (down before maintenance before unknown), with the
-- day's outages and their share of it as JSON. Rewritten in the same
-- transaction as the outages it derives from (store.Commit), so the status
-- page and the API never scan raw events. Existing outages are rolled up
-- once at open (rollup.go backfill).
CREATE TABLE daily_rollup (
    target         TEXT NOT NULL,
    day            BIGINT NOT NULL,
    worst          TEXT NOT NULL,
    down_ms        BIGINT NOT NULL,
    maintenance_ms BIGINT NOT NULL,
    unknown_ms     BIGINT NOT NULL,
    outages        TEXT NOT NULL,
    computed_at    BIGINT NOT NULL,
    -- gen is the history generation (meta history_gen) that wrote the
    -- row: a reader that holds the rollup of generation N re-reads only
    -- the targets with rows of a later one.
    gen            BIGINT NOT NULL,
    PRIMARY KEY (target, day)
);
CREATE INDEX daily_rollup_by_day ON daily_rollup (day);
CREATE INDEX daily_rollup_by_gen ON daily_rollup (gen);

-- Per target: when the bot first committed anything about it (uptime is
-- measured from there) and when its last outage ended (the "since" of an
-- operational status).
CREATE TABLE target_history (
    target           TEXT PRIMARY KEY,
    first_seen_at    BIGINT NOT NULL,
    last_resolved_at BIGINT
);

-- Outages that ended after a time (uptime over the last 24h, the API's
-- since filter) are found without reading them all.
CREATE INDEX outages_by_resolved ON outages (resolved_at);

-- The API lists outages newest first in pages that continue after the
-- last (opened_at, id) seen: these read a page without sorting them all.
CREATE INDEX outages_page ON outages (opened_at, id);
CREATE INDEX outages_target_page ON outages (target, opened_at, id);
