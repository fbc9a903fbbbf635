-- A number per serving table that changes whenever the table does: the chat's answer cache keys on
-- them, so a cached answer is never served after the data under it changed. A statement-level
-- trigger on each chat table (created by db::migrate for every table in serving::CHAT_TABLES)
-- bumps its table's row in the writing transaction, so the new number becomes visible exactly when
-- the new rows do. One row per table: writers of different tables never wait on each other.
CREATE TABLE IF NOT EXISTS serving_version (
    table_name text        PRIMARY KEY,
    version    bigint      NOT NULL,
    changed_at timestamptz NOT NULL
);
COMMENT ON TABLE serving_version IS 'Per serving table, a counter bumped by every write to it (the chat cache''s key)';

CREATE OR REPLACE FUNCTION bump_serving_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO serving_version (table_name, version, changed_at) VALUES (TG_TABLE_NAME, 1, now())
    ON CONFLICT (table_name) DO UPDATE SET version = serving_version.version + 1, changed_at = now();
    RETURN NULL;
END;
$$;
