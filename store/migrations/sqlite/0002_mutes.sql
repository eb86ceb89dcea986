-- Mutes set from chat: new outages of a muted target are not announced.
CREATE TABLE mutes (
    target     TEXT PRIMARY KEY,
    until_at   BIGINT NOT NULL,
    muted_by   TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
