-- Status boards: the one message per destination that shows the current
-- state of every target routed there, edited in place. The message id is
-- kept so that a restarted or new leader edits the same message instead of
-- posting a second one.
CREATE TABLE boards (
    dest       TEXT PRIMARY KEY,
    message_id TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
