-- What operators and the archive checks need, applied over an existing
-- ledger in one transaction: the states the archive check and reconcile
-- record, and the error text of every failed attempt (the row keeps only
-- the last one).
ALTER TABLE upload DROP CONSTRAINT IF EXISTS upload_state_check;
ALTER TABLE upload ADD CONSTRAINT upload_state_check
    CHECK (state IN ('claimed', 'uploaded', 'failed', 'accepted', 'unconfirmed', 'superseded'));

CREATE TABLE upload_attempt (
    host text NOT NULL,
    run_id text NOT NULL,
    changes text NOT NULL,
    attempt integer NOT NULL,
    failed_at timestamptz NOT NULL DEFAULT now(),
    error text NOT NULL,
    PRIMARY KEY (host, run_id, changes, attempt),
    FOREIGN KEY (host, run_id, changes) REFERENCES upload ON DELETE CASCADE
);

CREATE INDEX upload_updated_at ON upload (updated_at);
CREATE INDEX upload_source ON upload (source);
