-- Target state, outages, events and the outbox. Times are Unix milliseconds
-- so that the same SQL runs on SQLite and PostgreSQL.
CREATE TABLE target_state (
    target     TEXT PRIMARY KEY,
    state      TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE outages (
    id          TEXT PRIMARY KEY,
    target      TEXT NOT NULL,
    outage_key  TEXT NOT NULL,
    class       TEXT NOT NULL,
    title       TEXT NOT NULL,
    severity    TEXT NOT NULL,
    opened_at   BIGINT NOT NULL,
    resolved_at BIGINT,
    data        TEXT NOT NULL
);
CREATE INDEX outages_by_target ON outages (target, opened_at);
CREATE INDEX outages_by_opened ON outages (opened_at);

CREATE TABLE events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    outage_id TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    at        BIGINT NOT NULL,
    data      TEXT NOT NULL,
    UNIQUE (outage_id, seq)
);

CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id   BIGINT NOT NULL,
    outage_id  TEXT NOT NULL,
    dest       TEXT NOT NULL,
    state      TEXT NOT NULL DEFAULT 'pending',
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_at    BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    settled_at BIGINT,
    last_error TEXT NOT NULL DEFAULT '',
    ref        TEXT NOT NULL DEFAULT '',
    UNIQUE (event_id, dest)
);
CREATE INDEX outbox_queue ON outbox (state, outage_id, dest, id);

CREATE TABLE threads (
    outage_id TEXT NOT NULL,
    dest      TEXT NOT NULL,
    root_ref  TEXT NOT NULL,
    PRIMARY KEY (outage_id, dest)
);

CREATE TABLE meta (
    k TEXT PRIMARY KEY,
    v TEXT NOT NULL
);
