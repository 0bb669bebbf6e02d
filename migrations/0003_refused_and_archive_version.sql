-- What issue "sign only what the Janitor recorded" adds, applied over an
-- existing ledger in one transaction: a run whose .changes does not match
-- the run's record is 'refused' (never tried again: trying cannot help),
-- and a superseded .changes keeps the version the archive had, so that
-- operators see why nothing was uploaded.
ALTER TABLE upload DROP CONSTRAINT IF EXISTS upload_state_check;
ALTER TABLE upload ADD CONSTRAINT upload_state_check
    CHECK (state IN ('claimed', 'uploaded', 'failed', 'accepted', 'unconfirmed',
                     'superseded', 'refused'));
ALTER TABLE upload ADD COLUMN archive_version text;
