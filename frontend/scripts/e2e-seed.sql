-- Demo rows for the end-to-end tests when the pipeline has not filled the serving tables yet.
-- Run by scripts/e2e.sh against a private database it creates (and drops), never the stack's own:
--   psql "$URL" -v ON_ERROR_STOP=1 -v today=2026-11-26 -f scripts/e2e-seed.sql
-- 28 days before :today (in USER_TIMEZONE), with varied but deterministic counts; nothing for :today itself,
-- as after a nightly batch. The tests never hard-code these numbers: they compare the UI with the API.

BEGIN;

CREATE TEMP TABLE seed_hours ON COMMIT DROP AS
SELECT d::date AS date,
       h::smallint AS hour,
       CASE WHEN h BETWEEN 7 AND 20 THEN (i * 7 + h * 13) % 11 + 1 ELSE (i + h) % 2 END::bigint AS email_count
FROM generate_series(1, 28) AS i,
     LATERAL (SELECT (:'today'::date - i) AS d) AS day,
     generate_series(0, 23) AS h;

INSERT INTO daily_insights (date, total_emails, unique_senders, important_emails, busiest_hour,
                            busiest_hour_emails, avg_email_length)
SELECT date, total, total / 3 + 1, total / 5, busiest.hour, busiest.email_count,
       480 + (extract(doy FROM date)::int % 17) * 11.5
FROM (SELECT date, sum(email_count)::bigint AS total FROM seed_hours GROUP BY date) AS days
CROSS JOIN LATERAL (
    SELECT hour, email_count FROM seed_hours s
    WHERE s.date = days.date ORDER BY email_count DESC, hour LIMIT 1
) AS busiest;

INSERT INTO daily_hourly_counts (date, hour, email_count)
SELECT date, hour, email_count FROM seed_hours;

INSERT INTO daily_sender_domains (date, sender_domain, email_count, rank)
SELECT date, domain, email_count,
       row_number() OVER (PARTITION BY date ORDER BY email_count DESC, domain)::smallint
FROM (
    SELECT (:'today'::date - i) AS date, domain,
           ((i * (k + 3) + 5 * k) % 13 + 2)::bigint AS email_count
    FROM generate_series(1, 28) AS i,
         unnest(ARRAY['acme.com', 'globex.com', 'initech.com', 'umbrella.com', 'hooli.com'])
             WITH ORDINALITY AS d(domain, k)
) AS ranked;

INSERT INTO quality_scores (date, total_records, valid_records, score_pct, threshold_pct, passed)
SELECT (:'today'::date - i), 1000, 900 + (i * 7) % 100, (900 + (i * 7) % 100) / 10.0, 95,
       (900 + (i * 7) % 100) >= 950
FROM generate_series(1, 28) AS i;

COMMIT;
