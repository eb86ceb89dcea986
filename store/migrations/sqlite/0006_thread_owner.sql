-- The outage that posted a thread's root. Outages that join another's
-- thread (a failing service of ours and the vendor incident behind it)
-- reply there but never edit a root they do not own. Empty for roots
-- recorded before this column: those belong to the thread's own outage.
ALTER TABLE threads ADD COLUMN owner TEXT NOT NULL DEFAULT '';
