-- Coverage: per target, the spans of time during which the bot was
-- observing it (polling it, or combining other locations' polls). Time
-- between two spans of a target is a gap: measured on neither side of the
-- uptime, like unreachable time. The leader extends each target's latest
-- span about once a minute (store.Cover) and starts a new one only after
-- a gap, so a steady target keeps one row. Time before a target's first
-- span counts as observed: databases from before this table have no
-- spans, and their history stays as it was.
CREATE TABLE target_coverage (
    target  TEXT NOT NULL,
    from_at BIGINT NOT NULL,
    to_at   BIGINT NOT NULL,
    PRIMARY KEY (target, from_at)
);
-- Gaps that end after a time (the last 24h, the days being rolled up) are
-- found by the span that starts after them.
CREATE INDEX target_coverage_by_from ON target_coverage (from_at);
