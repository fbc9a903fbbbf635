-- The latest progress of each Structured Streaming query `mindy stream` runs, for the dashboard.
CREATE TABLE IF NOT EXISTS stream_progress (
    query_name                text PRIMARY KEY,
    query_id                  text NOT NULL,
    run_id                    text NOT NULL,
    batch_id                  bigint NOT NULL,
    num_input_rows            bigint NOT NULL,
    input_rows_per_second     double precision,
    processed_rows_per_second double precision,
    batch_duration_ms         bigint,
    watermark                 text,
    updated_at                timestamptz NOT NULL DEFAULT now()
);
