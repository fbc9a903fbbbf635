-- A reply needs the Message-ID of the email it answers (In-Reply-To, References); for Gmail mail
-- email_insights.id is Gmail's message id, so the header is kept beside it (issue 19).
ALTER TABLE email_insights ADD COLUMN IF NOT EXISTS rfc822_message_id text;
COMMENT ON COLUMN email_insights.rfc822_message_id IS 'the email''s Message-ID header without angle brackets (null when it had none); id is Gmail''s message id for Gmail mail';
