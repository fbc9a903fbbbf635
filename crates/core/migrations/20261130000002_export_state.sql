-- Where the incremental Delta → PostgreSQL exporter (`mindy export`) stands, per serving table:
-- the Delta version whose changes it last applied. Written in the same transaction as the rows, so
-- a restart resumes exactly after the last applied version (nothing lost, nothing applied twice).
CREATE TABLE IF NOT EXISTS export_state (
    target        text        PRIMARY KEY,
    source        text        NOT NULL,
    version       bigint      NOT NULL CHECK (version >= 0),
    rows_upserted bigint      NOT NULL DEFAULT 0,
    rows_deleted  bigint      NOT NULL DEFAULT 0,
    exported_at   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE export_state IS 'The Delta version each serving table was last exported from';
