-- The host and process id that took the lease. On SQLite (one host) a
-- restarted bot takes over at once from a predecessor whose process is gone
-- instead of waiting for its lease to run out. Empty and 0 for leases taken
-- before these columns.
ALTER TABLE leader ADD COLUMN host TEXT NOT NULL DEFAULT '';
ALTER TABLE leader ADD COLUMN pid BIGINT NOT NULL DEFAULT 0;
