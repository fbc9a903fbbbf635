-- Email intelligence (issue 16): what `mindy enrich` computes on Spark about each email, thread,
-- contact and organisation, exported from its Delta tables (silver/email_insights,
-- silver/email_action_items, gold/email_threads, gold/contacts, gold/organizations,
-- gold/email_patterns). Every column here is a column of the Delta table with the same name
-- (crates/core/src/intel.rs defines both; a unit test holds it), so the exporter copies by name.
-- Roles: internal, client, vendor_partner, newsletter_automated, personal (intel::SenderRole).

CREATE TABLE IF NOT EXISTS email_insights (
    id                   text PRIMARY KEY,
    thread_id            text NOT NULL,
    sent_at              timestamptz NOT NULL,
    sent_date            date NOT NULL,
    direction            text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    from_address         text NOT NULL,
    from_name            text,
    sender_domain        text NOT NULL,
    organization         text,
    sender_role          text NOT NULL CHECK (sender_role IN ('internal', 'client', 'vendor_partner', 'newsletter_automated', 'personal')),
    sender_title         text,
    sender_group         text NOT NULL,
    recipients           text NOT NULL,
    subject              text NOT NULL,
    summary              text NOT NULL,
    sentiment            text NOT NULL CHECK (sentiment IN ('positive', 'neutral', 'negative')),
    sentiment_score      double precision NOT NULL CHECK (sentiment_score BETWEEN -1 AND 1),
    frustrated           boolean NOT NULL,
    urgency_score        integer NOT NULL CHECK (urgency_score BETWEEN 0 AND 100),
    urgent               boolean NOT NULL,
    urgency_reasons      text NOT NULL,
    needs_reply          boolean NOT NULL,
    escalating           boolean NOT NULL,
    action_item_count    integer NOT NULL,
    next_due_at          timestamptz,
    thread_position      integer NOT NULL,
    thread_message_count integer NOT NULL,
    follow_ups           integer NOT NULL,
    replied_at           timestamptz,
    response_minutes     double precision,
    computed_at          timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS email_insights_sent_at_idx ON email_insights (sent_at DESC);
CREATE INDEX IF NOT EXISTS email_insights_org_idx ON email_insights (organization, sent_at DESC);
CREATE INDEX IF NOT EXISTS email_insights_from_idx ON email_insights (from_address, sent_at DESC);
CREATE INDEX IF NOT EXISTS email_insights_domain_idx ON email_insights (sender_domain, sent_at DESC);
CREATE INDEX IF NOT EXISTS email_insights_thread_idx ON email_insights (thread_id, sent_at);
CREATE INDEX IF NOT EXISTS email_insights_urgent_idx ON email_insights (sent_at DESC) WHERE urgent;
CREATE INDEX IF NOT EXISTS email_insights_needs_reply_idx ON email_insights (sent_at DESC) WHERE needs_reply;
CREATE INDEX IF NOT EXISTS email_insights_role_idx ON email_insights (sender_role, sent_at DESC);

COMMENT ON TABLE email_insights IS 'One row per email (received or sent by the user) with what the assistant knows about it: sender organisation and role, sentiment, urgency, whether it needs a reply, its thread and the user''s response time. Updated within a minute of the email arriving';
COMMENT ON COLUMN email_insights.id IS 'the email''s id (primary key)';
COMMENT ON COLUMN email_insights.thread_id IS 'the conversation (references email_threads.thread_id)';
COMMENT ON COLUMN email_insights.sent_at IS 'when the email was sent';
COMMENT ON COLUMN email_insights.sent_date IS 'the day it was sent, in the user''s timezone';
COMMENT ON COLUMN email_insights.direction IS '''inbound'' (received by the user) or ''outbound'' (sent by the user)';
COMMENT ON COLUMN email_insights.from_address IS 'sender address, lower case';
COMMENT ON COLUMN email_insights.from_name IS 'sender display name, e.g. Tom Anderson';
COMMENT ON COLUMN email_insights.sender_domain IS 'sender''s e-mail domain, lower case, e.g. acmecorp.example';
COMMENT ON COLUMN email_insights.organization IS 'sender''s organisation name, e.g. Acme Corp (null for private senders)';
COMMENT ON COLUMN email_insights.sender_role IS 'sender''s relation to the user: internal (colleague), client, vendor_partner, newsletter_automated (newsletters, notifications, no-reply) or personal';
COMMENT ON COLUMN email_insights.sender_title IS 'sender''s job title from their signatures, e.g. CTO, VP Operations';
COMMENT ON COLUMN email_insights.sender_group IS 'team for colleagues (Sales, Leadership, Finance, ...), else the role as a group (Clients, Vendors & partners, Newsletters & notifications, Personal)';
COMMENT ON COLUMN email_insights.recipients IS 'To and Cc addresses, comma-separated';
COMMENT ON COLUMN email_insights.subject IS 'subject line';
COMMENT ON COLUMN email_insights.summary IS 'short extractive summary of the body (quotes and signature removed)';
COMMENT ON COLUMN email_insights.sentiment IS 'positive, neutral or negative';
COMMENT ON COLUMN email_insights.sentiment_score IS 'sentiment from -1 (very negative) to 1 (very positive)';
COMMENT ON COLUMN email_insights.frustrated IS 'negative and part of an escalation: an upset sender';
COMMENT ON COLUMN email_insights.urgency_score IS 'urgency from 0 to 100 (urgent words, deadlines, sender role and history, follow-ups, escalation)';
COMMENT ON COLUMN email_insights.urgent IS 'true when the email is urgent (urgency_score at or above the threshold, 60 by default)';
COMMENT ON COLUMN email_insights.urgency_reasons IS 'what made up the urgency score, comma-separated';
COMMENT ON COLUMN email_insights.needs_reply IS 'a question or request to the user that the user has not answered yet';
COMMENT ON COLUMN email_insights.escalating IS 'part of an escalation: follow-ups without reply, rising negativity or escalation words in its thread, or an escalating thread of the same organisation in the 48 hours before';
COMMENT ON COLUMN email_insights.action_item_count IS 'requests found in the email (see email_action_items)';
COMMENT ON COLUMN email_insights.next_due_at IS 'earliest due time of its requests';
COMMENT ON COLUMN email_insights.thread_position IS '1 for the first message of its thread, 2 for the next, ...';
COMMENT ON COLUMN email_insights.thread_message_count IS 'messages in its thread';
COMMENT ON COLUMN email_insights.follow_ups IS 'messages the sender side wrote in a row before this one without a reply from the user';
COMMENT ON COLUMN email_insights.replied_at IS 'when the user replied to this email (null when not answered)';
COMMENT ON COLUMN email_insights.response_minutes IS 'minutes the user took to reply to this email';
COMMENT ON COLUMN email_insights.computed_at IS 'when the row was computed';

CREATE TABLE IF NOT EXISTS email_action_items (
    email_id     text NOT NULL,
    item_no      integer NOT NULL,
    thread_id    text NOT NULL,
    sent_at      timestamptz NOT NULL,
    from_address text NOT NULL,
    from_name    text,
    organization text,
    sender_role  text NOT NULL,
    description  text NOT NULL,
    due_at       timestamptz,
    due_date     date,
    due_text     text,
    open         boolean NOT NULL,
    computed_at  timestamptz NOT NULL,
    PRIMARY KEY (email_id, item_no)
);
CREATE INDEX IF NOT EXISTS email_action_items_due_idx ON email_action_items (due_at) WHERE open;
CREATE INDEX IF NOT EXISTS email_action_items_sent_idx ON email_action_items (sent_at DESC);

COMMENT ON TABLE email_action_items IS 'Requests to the user found in received email (please review ..., could you send ...), with their due times';
COMMENT ON COLUMN email_action_items.email_id IS 'the email it was found in (email_insights.id)';
COMMENT ON COLUMN email_action_items.item_no IS '1-based position of the request in the email';
COMMENT ON COLUMN email_action_items.thread_id IS 'the email''s conversation';
COMMENT ON COLUMN email_action_items.sent_at IS 'when the email was sent';
COMMENT ON COLUMN email_action_items.from_address IS 'who asked';
COMMENT ON COLUMN email_action_items.from_name IS 'their display name';
COMMENT ON COLUMN email_action_items.organization IS 'their organisation';
COMMENT ON COLUMN email_action_items.sender_role IS 'their role (internal, client, vendor_partner, newsletter_automated, personal)';
COMMENT ON COLUMN email_action_items.description IS 'the request as written';
COMMENT ON COLUMN email_action_items.due_at IS 'when it is due (a date without a time means 17:00 that day), null when no deadline was given';
COMMENT ON COLUMN email_action_items.due_date IS 'the day it is due, in the user''s timezone';
COMMENT ON COLUMN email_action_items.due_text IS 'the words the deadline was read from, e.g. by 5 PM today';
COMMENT ON COLUMN email_action_items.open IS 'true while the user has not replied in the thread since the request';
COMMENT ON COLUMN email_action_items.computed_at IS 'when the row was computed';

CREATE TABLE IF NOT EXISTS email_threads (
    thread_id            text PRIMARY KEY,
    subject              text NOT NULL,
    first_at             timestamptz NOT NULL,
    last_at              timestamptz NOT NULL,
    message_count        integer NOT NULL,
    inbound_count        integer NOT NULL,
    user_reply_count     integer NOT NULL,
    participants         text NOT NULL,
    organizations        text NOT NULL,
    primary_organization text,
    primary_role         text,
    last_from_address    text NOT NULL,
    last_from_name       text,
    needs_reply          boolean NOT NULL,
    awaiting_since       timestamptz,
    escalating           boolean NOT NULL,
    urgent               boolean NOT NULL,
    max_urgency_score    integer NOT NULL,
    latest_sentiment     text,
    sentiment_trend      text NOT NULL,
    negative_count       integer NOT NULL,
    avg_response_minutes double precision,
    summary              text NOT NULL,
    computed_at          timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS email_threads_last_at_idx ON email_threads (last_at DESC);
CREATE INDEX IF NOT EXISTS email_threads_org_idx ON email_threads (primary_organization, last_at DESC);
CREATE INDEX IF NOT EXISTS email_threads_open_idx ON email_threads (last_at DESC) WHERE needs_reply;

COMMENT ON TABLE email_threads IS 'One row per email conversation: who takes part, how many messages, the user''s replies and response time, escalation and a summary';
COMMENT ON COLUMN email_threads.thread_id IS 'conversation id (primary key; email_insights.thread_id)';
COMMENT ON COLUMN email_threads.subject IS 'subject of the first message without Re:/Fwd:';
COMMENT ON COLUMN email_threads.first_at IS 'first message';
COMMENT ON COLUMN email_threads.last_at IS 'latest message';
COMMENT ON COLUMN email_threads.message_count IS 'messages in the thread';
COMMENT ON COLUMN email_threads.inbound_count IS 'messages from others';
COMMENT ON COLUMN email_threads.user_reply_count IS 'messages from the user';
COMMENT ON COLUMN email_threads.participants IS 'everyone who wrote or was addressed except the user, Name <address>, comma-separated';
COMMENT ON COLUMN email_threads.organizations IS 'organisations of the external participants, comma-separated';
COMMENT ON COLUMN email_threads.primary_organization IS 'organisation of the first sender other than the user';
COMMENT ON COLUMN email_threads.primary_role IS 'role of the first sender other than the user';
COMMENT ON COLUMN email_threads.last_from_address IS 'who wrote last';
COMMENT ON COLUMN email_threads.last_from_name IS 'their display name';
COMMENT ON COLUMN email_threads.needs_reply IS 'the latest message from others waits for a reply from the user';
COMMENT ON COLUMN email_threads.awaiting_since IS 'the oldest message from others not answered since the user last wrote';
COMMENT ON COLUMN email_threads.escalating IS 'the thread escalates: follow-ups without reply, rising negativity or escalation words';
COMMENT ON COLUMN email_threads.urgent IS 'some message of the thread is urgent';
COMMENT ON COLUMN email_threads.max_urgency_score IS 'highest urgency score (0-100) of its messages';
COMMENT ON COLUMN email_threads.latest_sentiment IS 'sentiment of the latest message from others';
COMMENT ON COLUMN email_threads.sentiment_trend IS 'worsening, improving or steady (latest message from others against the first)';
COMMENT ON COLUMN email_threads.negative_count IS 'negative messages from others';
COMMENT ON COLUMN email_threads.avg_response_minutes IS 'the user''s mean response time in the thread, minutes';
COMMENT ON COLUMN email_threads.summary IS 'what the thread is about and where it stands';
COMMENT ON COLUMN email_threads.computed_at IS 'when the row was computed';

CREATE TABLE IF NOT EXISTS contacts (
    address              text PRIMARY KEY,
    name                 text,
    title                text,
    organization         text,
    domain               text NOT NULL,
    role                 text NOT NULL CHECK (role IN ('internal', 'client', 'vendor_partner', 'newsletter_automated', 'personal')),
    group_name           text NOT NULL,
    is_user              boolean NOT NULL,
    first_seen           timestamptz NOT NULL,
    last_seen            timestamptz NOT NULL,
    emails_from          bigint NOT NULL,
    emails_from_30d      bigint NOT NULL,
    emails_to            bigint NOT NULL,
    emails_to_30d        bigint NOT NULL,
    last_from_at         timestamptz,
    last_to_at           timestamptz,
    avg_sentiment_30d    double precision,
    negative_30d         bigint NOT NULL,
    urgent_30d           bigint NOT NULL,
    awaiting_reply       bigint NOT NULL,
    avg_response_minutes double precision,
    computed_at          timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS contacts_org_idx ON contacts (organization);
CREATE INDEX IF NOT EXISTS contacts_domain_idx ON contacts (domain);
CREATE INDEX IF NOT EXISTS contacts_name_idx ON contacts (lower(name));

COMMENT ON TABLE contacts IS 'One row per person the user exchanges email with (keyed by lower-case address, the key calendar attendees join on): name, title, organisation, volumes, sentiment and the user''s response time';
COMMENT ON COLUMN contacts.address IS 'e-mail address, lower case (primary key)';
COMMENT ON COLUMN contacts.name IS 'latest display name';
COMMENT ON COLUMN contacts.title IS 'job title from their signatures, e.g. CTO';
COMMENT ON COLUMN contacts.organization IS 'organisation name (organizations.name)';
COMMENT ON COLUMN contacts.domain IS 'e-mail domain (organizations.domain)';
COMMENT ON COLUMN contacts.role IS 'internal, client, vendor_partner, newsletter_automated or personal';
COMMENT ON COLUMN contacts.group_name IS 'team for colleagues (Sales, Leadership, Finance, ...), else the role as a group';
COMMENT ON COLUMN contacts.is_user IS 'the address is the user''s own';
COMMENT ON COLUMN contacts.first_seen IS 'first email from or to them';
COMMENT ON COLUMN contacts.last_seen IS 'latest email from or to them';
COMMENT ON COLUMN contacts.emails_from IS 'emails from them, all time';
COMMENT ON COLUMN contacts.emails_from_30d IS 'emails from them in the last 30 days';
COMMENT ON COLUMN contacts.emails_to IS 'emails from the user to them, all time';
COMMENT ON COLUMN contacts.emails_to_30d IS 'emails from the user to them in the last 30 days';
COMMENT ON COLUMN contacts.last_from_at IS 'their latest email';
COMMENT ON COLUMN contacts.last_to_at IS 'the user''s latest email to them';
COMMENT ON COLUMN contacts.avg_sentiment_30d IS 'mean sentiment (-1 to 1) of their emails in the last 30 days';
COMMENT ON COLUMN contacts.negative_30d IS 'their negative emails in the last 30 days';
COMMENT ON COLUMN contacts.urgent_30d IS 'their urgent emails in the last 30 days';
COMMENT ON COLUMN contacts.awaiting_reply IS 'their emails now waiting for a reply from the user';
COMMENT ON COLUMN contacts.avg_response_minutes IS 'the user''s mean response time to them, minutes';
COMMENT ON COLUMN contacts.computed_at IS 'when the row was computed';

CREATE TABLE IF NOT EXISTS organizations (
    domain               text PRIMARY KEY,
    name                 text NOT NULL,
    role                 text NOT NULL CHECK (role IN ('internal', 'client', 'vendor_partner', 'newsletter_automated', 'personal')),
    role_source          text NOT NULL CHECK (role_source IN ('mapping', 'rule', 'default')),
    contact_count        bigint NOT NULL,
    emails_from_30d      bigint NOT NULL,
    emails_from_prev_30d bigint NOT NULL,
    emails_to_30d        bigint NOT NULL,
    last_email_at        timestamptz NOT NULL,
    urgent_30d           bigint NOT NULL,
    negative_30d         bigint NOT NULL,
    awaiting_reply       bigint NOT NULL,
    escalating_threads   bigint NOT NULL,
    avg_sentiment_30d    double precision,
    avg_response_minutes double precision,
    top_contact          text,
    computed_at          timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS organizations_name_idx ON organizations (lower(name));
CREATE INDEX IF NOT EXISTS organizations_role_idx ON organizations (role);

COMMENT ON TABLE organizations IS 'One row per sender organisation (e-mail domain): name, role, volumes, urgent and negative mail, open escalations, the user''s response time';
COMMENT ON COLUMN organizations.domain IS 'e-mail domain, lower case (primary key)';
COMMENT ON COLUMN organizations.name IS 'display name, e.g. Acme Corp';
COMMENT ON COLUMN organizations.role IS 'internal, client, vendor_partner, newsletter_automated or personal';
COMMENT ON COLUMN organizations.role_source IS 'mapping (organization_names), rule (user''s domains, bulk mail, free-mail) or default (other business domains count as clients)';
COMMENT ON COLUMN organizations.contact_count IS 'addresses seen at the domain';
COMMENT ON COLUMN organizations.emails_from_30d IS 'emails from the domain in the last 30 days';
COMMENT ON COLUMN organizations.emails_from_prev_30d IS 'emails from the domain in the 30 days before those';
COMMENT ON COLUMN organizations.emails_to_30d IS 'emails from the user to the domain in the last 30 days';
COMMENT ON COLUMN organizations.last_email_at IS 'latest email from or to the domain';
COMMENT ON COLUMN organizations.urgent_30d IS 'urgent emails from the domain in the last 30 days';
COMMENT ON COLUMN organizations.negative_30d IS 'negative emails from the domain in the last 30 days';
COMMENT ON COLUMN organizations.awaiting_reply IS 'its emails now waiting for a reply from the user';
COMMENT ON COLUMN organizations.escalating_threads IS 'its escalating threads with a message in the last 7 days';
COMMENT ON COLUMN organizations.avg_sentiment_30d IS 'mean sentiment (-1 to 1) of its emails in the last 30 days';
COMMENT ON COLUMN organizations.avg_response_minutes IS 'the user''s mean response time to it, minutes';
COMMENT ON COLUMN organizations.top_contact IS 'its most frequent sender in the last 30 days, Name <address>';
COMMENT ON COLUMN organizations.computed_at IS 'when the row was computed';

CREATE TABLE IF NOT EXISTS email_patterns (
    kind                    text NOT NULL,
    key                     text NOT NULL,
    label                   text NOT NULL,
    as_of                   date NOT NULL,
    emails                  bigint NOT NULL,
    share_pct               double precision,
    per_day                 double precision,
    previous_emails         bigint,
    change_pct              double precision,
    avg_response_minutes    double precision,
    median_response_minutes double precision,
    computed_at             timestamptz NOT NULL,
    PRIMARY KEY (kind, key)
);

COMMENT ON TABLE email_patterns IS 'Patterns of the last 30 days of received email, one row per measure (kind) and value (key), against the 30 days before: volume by weekday and hour, top senders, groups and organisations, the user''s response times, trends';
COMMENT ON COLUMN email_patterns.kind IS 'total (key emails), weekday (key Monday..Sunday), hour (key 00..23, local), sender (key address), group (key Sales, Clients, ...), organization (key domain), response_time (key overall or a role), trend (key urgent, negative, escalating, client_escalations)';
COMMENT ON COLUMN email_patterns.key IS 'the value measured; with kind, the primary key';
COMMENT ON COLUMN email_patterns.label IS 'how to say it, e.g. Monday, 08:00-09:00, Tom Anderson, Sales';
COMMENT ON COLUMN email_patterns.as_of IS 'last day of the 30-day window, in the user''s timezone';
COMMENT ON COLUMN email_patterns.emails IS 'received emails in the window (for response_time: emails answered)';
COMMENT ON COLUMN email_patterns.share_pct IS 'share of the window''s received emails, percent';
COMMENT ON COLUMN email_patterns.per_day IS 'mean per day (weekday: per occurrence of that weekday in the window)';
COMMENT ON COLUMN email_patterns.previous_emails IS 'the same count in the 30 days before the window';
COMMENT ON COLUMN email_patterns.change_pct IS 'change against the previous 30 days, percent (null when there were none)';
COMMENT ON COLUMN email_patterns.avg_response_minutes IS 'the user''s mean response time, minutes';
COMMENT ON COLUMN email_patterns.median_response_minutes IS 'the user''s median response time, minutes';
COMMENT ON COLUMN email_patterns.computed_at IS 'when the row was computed';

-- The editable mapping of organisations: a display name (and optionally a role) per domain,
-- which `mindy enrich` applies over what it infers (signatures, rules). Rows are added by hand
-- or by tools; the next `mindy enrich` pass uses them (`--recompute` applies them to old mail).
CREATE TABLE IF NOT EXISTS organization_names (
    domain       text PRIMARY KEY CHECK (domain = lower(domain)),
    display_name text NOT NULL,
    role         text CHECK (role IN ('internal', 'client', 'vendor_partner', 'newsletter_automated', 'personal')),
    note         text,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE organization_names IS 'Editable mapping of e-mail domains to organisation display names and roles, applied by mindy enrich';
COMMENT ON COLUMN organization_names.domain IS 'e-mail domain, lower case (primary key)';
COMMENT ON COLUMN organization_names.display_name IS 'the name to show, e.g. Acme Corp';
COMMENT ON COLUMN organization_names.role IS 'the role to give its senders, or null to keep the inferred one';
COMMENT ON COLUMN organization_names.note IS 'why the mapping exists';
COMMENT ON COLUMN organization_names.updated_at IS 'when the row was last changed';
