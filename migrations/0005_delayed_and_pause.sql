-- Upload policy. 'delayed': the days of dput's DELAYED queue an upload was
-- started with (NULL: not delayed). 'pause': at most one row; while it is
-- there no process sharing the ledger claims a .changes (runs stay due,
-- uploads in flight finish).
ALTER TABLE upload ADD COLUMN delayed smallint CHECK (delayed BETWEEN 0 AND 15);
CREATE TABLE pause (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    reason text NOT NULL,
    paused_by text NOT NULL,
    paused_at timestamptz NOT NULL DEFAULT now()
);
