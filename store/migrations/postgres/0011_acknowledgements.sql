-- Acknowledgements from chat (the Acknowledge button): one per outage, the
-- first writer wins, whichever replica takes the click. event_id is the
-- 'acknowledged' event queued with it.
CREATE TABLE acknowledgements (
    outage_id TEXT PRIMARY KEY,
    user_id   TEXT NOT NULL,
    user_name TEXT NOT NULL DEFAULT '',
    platform  TEXT NOT NULL,
    acked_at  BIGINT NOT NULL,
    event_id  BIGINT NOT NULL DEFAULT 0
);
