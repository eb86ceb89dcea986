-- Leader election: one row per lease. The holder renews expires_at (Unix
-- milliseconds); another replica may take the lease once it has passed.
-- token grows by one whenever the lease changes hands, and every write that
-- matters checks it in its own transaction (fencing), so a deposed leader's
-- late writes fail instead of landing after its successor's.
CREATE TABLE leader (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    token      BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
