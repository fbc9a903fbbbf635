-- Mini-Mindy's serving schema in PostgreSQL: what the daily batch exports and the chat reads.
-- Applied by `mindy db migrate` (sqlx migrations; `./stack up` runs it).

-- One row per calendar day (in USER_TIMEZONE), upserted by `mindy batch export --date D`.
CREATE TABLE IF NOT EXISTS daily_insights (
    date              date        PRIMARY KEY,
    total_emails      bigint      NOT NULL CHECK (total_emails >= 0),
    unique_senders    bigint      NOT NULL CHECK (unique_senders >= 0),
    important_emails  bigint      NOT NULL CHECK (important_emails >= 0),
    busiest_hour      smallint    CHECK (busiest_hour BETWEEN 0 AND 23),
    busiest_hour_emails bigint    NOT NULL DEFAULT 0,
    avg_email_length  double precision,
    exported_at       timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE daily_insights IS 'Daily email statistics, one row per day in the user''s timezone';

-- The day's top sender domains (the batch keeps the top 10), for "who sent me the most" questions.
CREATE TABLE IF NOT EXISTS daily_sender_domains (
    date          date    NOT NULL REFERENCES daily_insights (date) ON DELETE CASCADE,
    sender_domain text    NOT NULL,
    email_count   bigint  NOT NULL CHECK (email_count >= 0),
    rank          smallint NOT NULL CHECK (rank >= 1),
    PRIMARY KEY (date, sender_domain)
);
CREATE INDEX IF NOT EXISTS daily_sender_domains_domain_idx ON daily_sender_domains (sender_domain);

-- Emails per hour of the day, for "busiest hour" and hourly charts.
CREATE TABLE IF NOT EXISTS daily_hourly_counts (
    date        date     NOT NULL REFERENCES daily_insights (date) ON DELETE CASCADE,
    hour        smallint NOT NULL CHECK (hour BETWEEN 0 AND 23),
    email_count bigint   NOT NULL CHECK (email_count >= 0),
    PRIMARY KEY (date, hour)
);

-- Data-quality score of each day's bronze data, written by `mindy batch quality`.
CREATE TABLE IF NOT EXISTS quality_scores (
    date          date        NOT NULL,
    checked_at    timestamptz NOT NULL DEFAULT now(),
    total_records bigint      NOT NULL,
    valid_records bigint      NOT NULL,
    score_pct     double precision NOT NULL CHECK (score_pct BETWEEN 0 AND 100),
    threshold_pct double precision NOT NULL,
    passed        boolean     NOT NULL,
    failed_rules  jsonb       NOT NULL DEFAULT '{}'::jsonb,
    PRIMARY KEY (date, checked_at)
);

-- The chat executes generated SQL as the read-only role `mindy_reader` (created by the stack or
-- the deployment); grant it exactly the serving tables when it exists.
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'mindy_reader') THEN
        GRANT USAGE ON SCHEMA public TO mindy_reader;
        GRANT SELECT ON daily_insights, daily_sender_domains, daily_hourly_counts, quality_scores
            TO mindy_reader;
    END IF;
END
$$;
