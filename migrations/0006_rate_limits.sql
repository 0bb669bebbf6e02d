-- Rate limits shared by every process using the ledger. 'started_at': when
-- dput started for the .changes (the budget counts these, and live claims
-- on their way to dput). 'deferred': over the budget; still due, no
-- attempt counted.
ALTER TABLE upload ADD COLUMN started_at timestamptz;
ALTER TABLE upload DROP CONSTRAINT IF EXISTS upload_state_check;
ALTER TABLE upload ADD CONSTRAINT upload_state_check
    CHECK (state IN ('claimed', 'uploading', 'uploaded', 'failed', 'accepted',
                     'unconfirmed', 'superseded', 'refused', 'deferred'));
CREATE INDEX upload_started_at ON upload (started_at) WHERE started_at IS NOT NULL;
