-- Replicas sharing the polling (several locations, or shared polling):
-- each renews last_seen (Unix milliseconds) every lease_ms/3 and counts as
-- live while last_seen + lease_ms is in the future.
CREATE TABLE replicas (
    id         TEXT PRIMARY KEY,
    location   TEXT NOT NULL,
    lease_ms   BIGINT NOT NULL,
    last_seen  BIGINT NOT NULL,
    started_at BIGINT NOT NULL
);
-- The latest poll of each target from each location ('' for a target that
-- one replica polls for all), written by whichever replica polled it, for
-- the leader to apply. fail_streak and ok_streak count that location's
-- consecutive results, and verdict ('failing', 'ok', or '' before either
-- threshold was ever reached) is the location's judgement by the target's
-- own thresholds, so a new leader carries on where the last one stopped.
-- observation is the whole observation of a target one replica polls for
-- all (JSON), empty for a location's probe result. seq grows with every
-- write: the leader reads what changed since it last looked.
CREATE TABLE poll_results (
    target      TEXT NOT NULL,
    location    TEXT NOT NULL,
    replica     TEXT NOT NULL,
    at          BIGINT NOT NULL,
    ok          INTEGER NOT NULL,
    status      TEXT NOT NULL,
    latency_us  BIGINT NOT NULL,
    error       TEXT NOT NULL,
    fail_streak INTEGER NOT NULL,
    ok_streak   INTEGER NOT NULL,
    verdict     TEXT NOT NULL,
    observation TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    PRIMARY KEY (target, location)
);
CREATE INDEX poll_results_by_seq ON poll_results (seq);
CREATE SEQUENCE poll_results_seq;
