-- The state of each Delta table of the lake, as `mindy export` last read it on the cluster, for
-- the pipeline dashboard (`GET /api/pipeline/lake`). The API reads the lake through this table
-- instead of opening Delta logs itself, so it needs no Delta reader of its own.
CREATE TABLE IF NOT EXISTS lake_tables (
    lake_root    text        NOT NULL,
    layer        text        NOT NULL CHECK (layer IN ('bronze', 'silver', 'gold')),
    name         text        NOT NULL,
    version      bigint      NOT NULL CHECK (version >= 0),
    records      bigint      CHECK (records >= 0),
    files        bigint      NOT NULL CHECK (files >= 0),
    size_bytes   bigint      NOT NULL CHECK (size_bytes >= 0),
    last_updated timestamptz,
    error        text,
    checked_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (lake_root, layer, name)
);
COMMENT ON TABLE lake_tables IS 'Each Delta table''s version, rows, files and bytes as mindy export last read them';
COMMENT ON COLUMN lake_tables.lake_root IS 'The lake root as Spark sees it (an absolute path or a URL)';
COMMENT ON COLUMN lake_tables.version IS 'The table version the figures were read at (or a later one committed while they were read)';
COMMENT ON COLUMN lake_tables.last_updated IS 'When that version was committed';
COMMENT ON COLUMN lake_tables.error IS 'Why the last read failed (the figures are then those of the read before)';
