-- Signed chat requests already answered (a Slack request's signature, a
-- Discord interaction's id), kept until they could no longer pass the
-- signature's time window. Replicas share it, and it outlives restarts, so a
-- captured request sent again is refused wherever and whenever it lands.
CREATE TABLE seen_requests (
    request_key TEXT PRIMARY KEY,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX seen_requests_by_expiry ON seen_requests (expires_at);
