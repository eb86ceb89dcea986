-- Digest runs: one row per (digest, scheduled time), written in the same
-- transaction as the digest's event and outbox rows, so a run is posted
-- once however often the bot restarts. event_id is NULL for a quiet run
-- that skip_if_quiet left unposted.
CREATE TABLE digests_sent (
    digest_key   TEXT NOT NULL,
    scheduled_at BIGINT NOT NULL,
    sent_at      BIGINT NOT NULL,
    event_id     BIGINT,
    PRIMARY KEY (digest_key, scheduled_at)
);
