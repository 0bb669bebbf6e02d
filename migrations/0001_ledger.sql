-- The upload ledger: one row per (dput host, run, .changes file name).
-- Created in auto-upload's own schema (the first one on the search_path
-- the tool sets); it never touches the Janitor's tables.
-- A row whose changes is '' records a failure of the run as a whole
-- (artifacts missing, no .changes, verification failed).
CREATE TABLE upload (
    host text NOT NULL,
    run_id text NOT NULL,
    changes text NOT NULL,
    state text NOT NULL CHECK (state IN ('claimed', 'uploaded', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    last_error text,
    source text,
    version text,
    distribution text,
    claimed_by text,
    claimed_at timestamptz,
    uploaded_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (host, run_id, changes)
);

CREATE INDEX upload_run_id ON upload (run_id);
