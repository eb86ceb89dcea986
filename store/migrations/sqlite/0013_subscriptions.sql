-- Subscriptions made from chat: a Slack or Discord channel follows a
-- target, a group or a catalog vendor, from a least severity up ('' for
-- everything). name is lower case. since_event is the highest event id
-- when the subscription was made: it hears of outages whose first event
-- came after, never of one already open (store.Commit routes by it).
CREATE TABLE subscriptions (
    platform     TEXT NOT NULL,
    channel      TEXT NOT NULL,
    kind         TEXT NOT NULL,
    name         TEXT NOT NULL,
    min_severity TEXT NOT NULL DEFAULT '',
    created_by   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    since_event  BIGINT NOT NULL,
    PRIMARY KEY (platform, channel, kind, name)
);
-- Routing looks subscriptions up by what they follow.
CREATE INDEX subscriptions_by_name ON subscriptions (kind, name);
