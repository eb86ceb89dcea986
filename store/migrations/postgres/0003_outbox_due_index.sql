-- The dispatcher asks each destination for the heads of its pending
-- queues; a partial index keeps that cheap however many delivered rows
-- accumulate.
CREATE INDEX outbox_pending_by_dest ON outbox (dest, outage_id, id) WHERE state = 'pending';
