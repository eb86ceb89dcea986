-- Root edits: a thread's root message shown in its outage's current state.
-- An edit is work of its own, retried like a delivery but outside the
-- thread's queue, so a root that cannot be edited never holds up replies.
-- One row per root: a newer state (higher seq) replaces a pending older
-- one, and 'done' rows stay so that an older state can never come back.
CREATE TABLE root_edits (
    dest       TEXT NOT NULL,
    root_ref   TEXT NOT NULL,
    outage_id  TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    event_id   BIGINT NOT NULL,
    state      TEXT NOT NULL DEFAULT 'pending',
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_at    BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    settled_at BIGINT,
    last_error TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (dest, root_ref)
);
CREATE INDEX root_edits_due ON root_edits (dest, next_at) WHERE state = 'pending';
