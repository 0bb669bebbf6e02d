-- Exactly once when the uploader dies: a .changes moves from 'claimed' to
-- 'uploading' under its claim before dput runs. A process that finds an
-- expired claim in 'uploading' never uploads blind: the row becomes
-- 'unconfirmed', resolved by the archive (ledger reconcile) or an operator
-- (ledger retry). The partial index keeps the unconfirmed gauge cheap.
ALTER TABLE upload DROP CONSTRAINT IF EXISTS upload_state_check;
ALTER TABLE upload ADD CONSTRAINT upload_state_check
    CHECK (state IN ('claimed', 'uploading', 'uploaded', 'failed', 'accepted',
                     'unconfirmed', 'superseded', 'refused'));
CREATE INDEX upload_unconfirmed ON upload (host) WHERE state = 'unconfirmed';
