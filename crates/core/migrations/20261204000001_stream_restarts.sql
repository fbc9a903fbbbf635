-- How often `mindy stream` has resubmitted its queries from their checkpoints since it started
-- (after Spark Connect went away or lost them), recorded with each query's progress.
ALTER TABLE stream_progress ADD COLUMN IF NOT EXISTS restarts integer NOT NULL DEFAULT 0;
COMMENT ON COLUMN stream_progress.restarts IS 'Resubmissions of the query by mindy stream since it started (Spark Connect lost or restarted)';

