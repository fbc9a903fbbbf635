-- Actions with confirmation (issue 19): what the assistant proposed to do, the user's "yes", and
-- everything done on it. The API writes these as the role `mindy_actor` (see db::migrate's
-- grants): it may insert and update proposals, tasks, reminders and its local calendar, and only
-- insert into the audit, which nobody may change or delete from (the trigger below).

-- One assistant turn's proposed actions, reviewed and then confirmed (or left to expire).
CREATE TABLE IF NOT EXISTS action_proposals (
    id              uuid        PRIMARY KEY,
    conversation_id text        NOT NULL,
    question        text        NOT NULL,
    summary         text        NOT NULL,
    actions         jsonb       NOT NULL,
    status          text        NOT NULL CHECK (status IN ('proposed', 'executing', 'done', 'failed', 'cancelled')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    confirmed_at    timestamptz,
    finished_at     timestamptz,
    results         jsonb       NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS action_proposals_conversation_idx ON action_proposals (conversation_id, created_at DESC);
COMMENT ON TABLE action_proposals IS 'Actions the assistant proposed in a chat turn; nothing runs until the user confirms, before expires_at';
COMMENT ON COLUMN action_proposals.actions IS 'the actions, in execution order: [{"kind": "send_email" | "create_event" | "create_task" | "set_reminder", ...}]';
COMMENT ON COLUMN action_proposals.status IS 'proposed (awaiting confirmation), executing, done, failed (results say which action and why) or cancelled';
COMMENT ON COLUMN action_proposals.results IS 'one entry per executed action: its kind, outcome and the id the target system returned';

-- Append-only: every proposal, edit, confirmation, execution and result.
CREATE TABLE IF NOT EXISTS action_audit (
    seq         bigserial   PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    proposal_id uuid        REFERENCES action_proposals (id),
    event       text        NOT NULL CHECK (event IN ('proposed', 'edited', 'confirmed', 'executed', 'failed', 'cancelled', 'refused', 'reminder_delivered', 'reminder_failed')),
    action      text,
    external_id text,
    detail      jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS action_audit_proposal_idx ON action_audit (proposal_id, seq);
COMMENT ON TABLE action_audit IS 'Append-only log of every proposal, confirmation, execution and its result';
COMMENT ON COLUMN action_audit.external_id IS 'what the target system returned: the sent Message-ID, the event UID, the task or reminder id';

CREATE OR REPLACE FUNCTION action_audit_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'action_audit is append-only: % is not allowed', TG_OP;
END;
$$;
DROP TRIGGER IF EXISTS action_audit_append_only ON action_audit;
CREATE TRIGGER action_audit_append_only BEFORE UPDATE OR DELETE ON action_audit
    FOR EACH ROW EXECUTE FUNCTION action_audit_is_append_only();

-- The user's follow-up tasks.
CREATE TABLE IF NOT EXISTS tasks (
    id          uuid        PRIMARY KEY,
    proposal_id uuid        REFERENCES action_proposals (id),
    title       text        NOT NULL,
    notes       text,
    due_at      timestamptz,
    status      text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    done_at     timestamptz
);
COMMENT ON TABLE tasks IS 'Follow-up tasks the user confirmed';

-- Reminders, delivered by email at remind_at by the API's scheduler (it survives restarts: the
-- state is here).
CREATE TABLE IF NOT EXISTS reminders (
    id           uuid        PRIMARY KEY,
    proposal_id  uuid        REFERENCES action_proposals (id),
    remind_at    timestamptz NOT NULL,
    message      text        NOT NULL,
    recipient    text        NOT NULL,
    attempts     integer     NOT NULL DEFAULT 0,
    last_error   text,
    delivered_at timestamptz,
    delivery_id  text,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS reminders_due_idx ON reminders (remind_at) WHERE delivered_at IS NULL;
COMMENT ON COLUMN reminders.delivery_id IS 'Message-ID of the reminder email once delivered';

-- The local calendar store (demo mode): events the user confirmed, written out as an iCalendar
-- file that `mindy ingest ics` reads like any calendar.
CREATE TABLE IF NOT EXISTS local_calendar_events (
    uid         text        PRIMARY KEY,
    proposal_id uuid        REFERENCES action_proposals (id),
    summary     text        NOT NULL,
    description text,
    location    text,
    starts_at   timestamptz NOT NULL,
    ends_at     timestamptz NOT NULL CHECK (ends_at > starts_at),
    timezone    text        NOT NULL,
    organizer   text        NOT NULL,
    attendees   jsonb       NOT NULL,
    sequence    integer     NOT NULL DEFAULT 0,
    status      text        NOT NULL DEFAULT 'confirmed' CHECK (status IN ('confirmed', 'cancelled')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON COLUMN local_calendar_events.attendees IS '[{"address": ..., "name": ...}] invited (the organiser excluded)';
