-- What each serving table and column holds, for people and for the chat: the chat's catalog (its
-- LLM prompt and SQL allow-list) is read from these comments (crates/core/src/serving.rs), so a
-- table the chat may read documents every column here or in its own migration.

COMMENT ON TABLE daily_insights IS 'Daily email statistics, one row per day in the user''s timezone';
COMMENT ON COLUMN daily_insights.date IS 'the calendar day in the user''s timezone (primary key)';
COMMENT ON COLUMN daily_insights.total_emails IS 'emails received that day';
COMMENT ON COLUMN daily_insights.unique_senders IS 'distinct sender addresses that day';
COMMENT ON COLUMN daily_insights.important_emails IS 'emails flagged important or urgent';
COMMENT ON COLUMN daily_insights.busiest_hour IS 'hour of day (0-23) with the most emails, null on a day without mail';
COMMENT ON COLUMN daily_insights.busiest_hour_emails IS 'emails received in busiest_hour';
COMMENT ON COLUMN daily_insights.avg_email_length IS 'mean body length in characters';
COMMENT ON COLUMN daily_insights.exported_at IS 'when the batch wrote the row';

COMMENT ON TABLE daily_sender_domains IS 'The top 10 sender domains of each day';
COMMENT ON COLUMN daily_sender_domains.date IS 'the day (references daily_insights.date)';
COMMENT ON COLUMN daily_sender_domains.sender_domain IS 'the sender''s e-mail domain, lower case, e.g. acme.com';
COMMENT ON COLUMN daily_sender_domains.email_count IS 'emails from that domain that day';
COMMENT ON COLUMN daily_sender_domains.rank IS '1 = the day''s top domain; only the top 10 per day are kept';

COMMENT ON TABLE daily_hourly_counts IS 'Emails per hour of each day';
COMMENT ON COLUMN daily_hourly_counts.date IS 'the day (references daily_insights.date)';
COMMENT ON COLUMN daily_hourly_counts.hour IS 'hour of day 0-23 in the user''s timezone';
COMMENT ON COLUMN daily_hourly_counts.email_count IS 'emails received in that hour';

COMMENT ON TABLE quality_scores IS 'Data-quality checks of each day''s raw (bronze) data';
COMMENT ON COLUMN quality_scores.date IS 'the day whose bronze data was checked';
COMMENT ON COLUMN quality_scores.checked_at IS 'when the check ran (a day can be checked again)';
COMMENT ON COLUMN quality_scores.total_records IS 'records checked';
COMMENT ON COLUMN quality_scores.valid_records IS 'records passing every rule';
COMMENT ON COLUMN quality_scores.score_pct IS 'valid_records / total_records in percent';
COMMENT ON COLUMN quality_scores.threshold_pct IS 'the score needed to pass';
COMMENT ON COLUMN quality_scores.passed IS 'score_pct >= threshold_pct';
COMMENT ON COLUMN quality_scores.failed_rules IS 'rule name -> failing record count';

COMMENT ON TABLE stream_progress IS 'The latest progress of each Structured Streaming query of mindy stream';
