-- The reviewers' verdict (issue "sign only what the Janitor decided"):
-- 'rejected', a run whose publish_status is rejected or blocked, never
-- signed while it is; 'awaiting-review', a run of a --require-review
-- campaign not approved yet. Neither counts as an attempt; both are due
-- again once the verdict allows (the plan reads run.publish_status).
ALTER TABLE upload DROP CONSTRAINT IF EXISTS upload_state_check;
ALTER TABLE upload ADD CONSTRAINT upload_state_check
    CHECK (state IN ('claimed', 'uploading', 'uploaded', 'failed', 'accepted',
                     'unconfirmed', 'superseded', 'refused', 'deferred',
                     'rejected', 'awaiting-review'));
