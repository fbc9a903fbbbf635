-- Demo rows for the end-to-end tests when the pipeline has not filled the serving tables yet.
-- Run by scripts/e2e.sh against a private database it creates (and drops), never the stack's own:
--   psql "$URL" -v ON_ERROR_STOP=1 -v today=2026-11-26 -v tz=UTC -f scripts/e2e-seed.sql
-- Daily statistics: 28 days before :today (in USER_TIMEZONE, :tz), with varied but deterministic counts; nothing
-- for :today itself, as after a nightly batch. The demo scenes' tables (per-email facts, threads, action items,
-- patterns, the calendar and what the calendar job derives from it) follow at the end, placed around now() and
-- :today so every scene has something to show. The tests never hard-code these numbers: they compare the UI with
-- the API.

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

-- ---------------------------------------------------------------- demo scenes: mail
-- The persona's last days of mail, hours before now(): an escalating client thread (Acme Corp), a client's renewal
-- (TechFlow), colleagues, a newsletter, and older mail from a client met this week but quiet lately (Initech).

CREATE TEMP TABLE seed_mail ON COMMIT DROP AS
SELECT * FROM (VALUES
  -- id, thread, hours before now, from, name, domain, organisation, role, title, group, subject, summary,
  -- sentiment, urgency, needs reply, follow-ups, escalating, thread position
  ('m-acme-1', 't-acme', 20.0, 'tom.anderson@acmecorp.example', 'Tom Anderson', 'acmecorp.example', 'Acme Corp', 'client', 'VP Engineering', 'Clients',
   'Production outage - API integration down', 'The API integration has failed since last night; 500 users cannot sync orders. Asks for an engineer today.',
   'negative', 85, true, 0, true, 1),
  ('m-acme-2', 't-acme', 6.0, 'tom.anderson@acmecorp.example', 'Tom Anderson', 'acmecorp.example', 'Acme Corp', 'client', 'VP Engineering', 'Clients',
   'Re: Production outage - API integration down', 'No reply yet; the outage now blocks their month-end close. Wants a status update by noon.',
   'negative', 92, true, 1, true, 2),
  ('m-acme-3', 't-acme', 2.0, 'rachel.kim@acmecorp.example', 'Rachel Kim', 'acmecorp.example', 'Acme Corp', 'client', 'COO', 'Clients',
   'Re: Production outage - API integration down', 'Escalates to the COO: asks for a call with leadership today and a written root-cause analysis.',
   'negative', 96, true, 2, true, 3),
  ('m-acme-0', 't-acme-qbr', 30.0, 'tom.anderson@acmecorp.example', 'Tom Anderson', 'acmecorp.example', 'Acme Corp', 'client', 'VP Engineering', 'Clients',
   'QBR agenda for Friday', 'Shares the agenda for the quarterly business review.',
   'neutral', 35, false, 0, false, 1),
  ('m-tech-1', 't-tech', 4.0, 'jennifer.wu@techflow.example', 'Jennifer Wu', 'techflow.example', 'TechFlow', 'client', 'Head of Procurement', 'Clients',
   'Renewal next steps', 'Happy with the pilot; sends the renewal terms for review before Thursday.',
   'positive', 40, true, 0, false, 1),
  ('m-mike-1', 't-pipe', 5.0, 'mike.chen@mindy.example', 'Mike Chen', 'mindy.example', NULL, 'internal', 'VP Sales', 'Sales',
   'Q4 pipeline numbers', 'The Q4 pipeline is at 82% of target; asks for the updated forecast.',
   'neutral', 55, true, 0, false, 1),
  ('m-lisa-1', 't-sprint', 3.0, 'lisa.park@mindy.example', 'Lisa Park', 'mindy.example', NULL, 'internal', 'Engineering Manager', 'Engineering',
   'Sprint review notes', 'The sprint shipped on time; notes attached.',
   'positive', 15, false, 0, false, 1),
  ('m-lisa-2', 't-sprint', 1.0, 'lisa.park@mindy.example', 'Lisa Park', 'mindy.example', NULL, 'internal', 'Engineering Manager', 'Engineering',
   'Re: Sprint review notes', 'Adds the demo recording.',
   'positive', 10, false, 0, false, 2),
  ('m-news-1', 't-news', 7.0, 'digest@saasweekly.example', 'SaaS Weekly', 'saasweekly.example', 'SaaS Weekly', 'newsletter_automated', NULL, 'Newsletters',
   'This week in SaaS', 'A weekly digest of industry news.',
   'neutral', 0, false, 0, false, 1),
  ('m-init-1', 't-init', 240.0, 'peter.gibbons@initech.example', 'Peter Gibbons', 'initech.example', 'Initech', 'client', 'Product Lead', 'Clients',
   'Intro call', 'Would like an introduction call next week.',
   'positive', 20, false, 0, false, 1)
) AS m(id, thread_id, hours_ago, from_address, from_name, sender_domain, organization, sender_role, sender_title,
       sender_group, subject, summary, sentiment, urgency_score, needs_reply, follow_ups, escalating, thread_position);

INSERT INTO email_insights (id, thread_id, sent_at, sent_date, direction, from_address, from_name, sender_domain,
                            organization, sender_role, sender_title, sender_group, recipients, subject, summary,
                            sentiment, sentiment_score, frustrated, urgency_score, urgent, urgency_reasons, needs_reply,
                            escalating, action_item_count, next_due_at, thread_position, thread_message_count,
                            follow_ups, replied_at, response_minutes, rfc822_message_id, computed_at)
SELECT m.id, m.thread_id, sent_at, (sent_at AT TIME ZONE :'tz')::date, 'inbound', m.from_address, m.from_name,
       m.sender_domain, m.organization, m.sender_role, m.sender_title, m.sender_group,
       -- Acme's outage thread copies Lisa Chen: a reply to it goes to Tom with Lisa in Cc (reply-all).
       CASE WHEN m.thread_id = 't-acme' THEN 'sarah@mindy.example, lisa.chen@acmecorp.example'
            ELSE 'sarah@mindy.example' END,
       m.subject, m.summary, m.sentiment,
       CASE m.sentiment WHEN 'positive' THEN 0.6 WHEN 'negative' THEN -0.7 ELSE 0 END,
       m.sentiment = 'negative' AND m.follow_ups > 0, m.urgency_score, m.urgency_score >= 70,
       CASE WHEN m.urgency_score >= 70 THEN 'outage; deadline today' ELSE '' END,
       m.needs_reply, m.escalating, 0, NULL, m.thread_position,
       (SELECT count(*) FROM seed_mail AS t WHERE t.thread_id = m.thread_id), m.follow_ups, NULL, NULL,
       -- The Message-ID header a drafted reply threads to (In-Reply-To, References).
       m.id || '@' || m.sender_domain,
       now() - interval '10 minutes'
FROM seed_mail AS m, LATERAL (SELECT now() - make_interval(secs => m.hours_ago * 3600) AS sent_at) AS t;

INSERT INTO email_threads (thread_id, subject, first_at, last_at, message_count, inbound_count, user_reply_count,
                           participants, organizations, primary_organization, primary_role, last_from_address,
                           last_from_name, needs_reply, awaiting_since, escalating, urgent, max_urgency_score,
                           latest_sentiment, sentiment_trend, negative_count, avg_response_minutes, summary, computed_at)
SELECT e.thread_id, min(e.subject), min(e.sent_at), max(e.sent_at), count(*), count(*), 0,
       string_agg(DISTINCT e.from_address, ', '), coalesce(string_agg(DISTINCT e.organization, ', '), ''),
       max(e.organization), max(e.sender_role),
       (array_agg(e.from_address ORDER BY e.sent_at DESC))[1], (array_agg(e.from_name ORDER BY e.sent_at DESC))[1],
       bool_or(e.needs_reply), min(e.sent_at) FILTER (WHERE e.needs_reply), bool_or(e.escalating), bool_or(e.urgent),
       max(e.urgency_score), (array_agg(e.sentiment ORDER BY e.sent_at DESC))[1],
       CASE WHEN bool_or(e.escalating) THEN 'worsening' ELSE 'stable' END,
       count(*) FILTER (WHERE e.sentiment = 'negative'), NULL, min(e.summary), now() - interval '10 minutes'
FROM email_insights AS e
GROUP BY e.thread_id;

INSERT INTO email_action_items (email_id, item_no, thread_id, sent_at, from_address, from_name, organization,
                                sender_role, description, due_at, due_date, due_text, open, computed_at)
SELECT e.id, 1, e.thread_id, e.sent_at, e.from_address, e.from_name, e.organization, e.sender_role, item.description,
       (item.due_date + item.due_time) AT TIME ZONE :'tz', item.due_date, item.due_text, true, now() - interval '10 minutes'
FROM (VALUES
  ('m-acme-3', 'Send a written root-cause analysis', :'today'::date, time '17:00', 'by end of day'),
  ('m-mike-1', 'Send the updated Q4 forecast', :'today'::date - 2, time '12:00', 'by Monday noon')
) AS item(email_id, description, due_date, due_time, due_text)
JOIN email_insights AS e ON e.id = item.email_id;

-- ---------------------------------------------------------------- demo scenes: 30-day patterns
INSERT INTO email_patterns (kind, key, label, as_of, emails, share_pct, per_day, previous_emails, change_pct,
                            avg_response_minutes, median_response_minutes, computed_at)
SELECT kind, key, label, :'today'::date, emails, share_pct, per_day, previous_emails, change_pct, avg_minutes,
       median_minutes, now() - interval '10 minutes'
FROM (
SELECT * FROM (VALUES
  ('total', 'emails', 'emails', 1180, 100.0, 39.3, 1010, 16.8, NULL, NULL),
  ('weekday', 'Monday', 'Monday', 296, 25.1, 74.0, NULL, NULL, NULL, NULL),
  ('weekday', 'Tuesday', 'Tuesday', 212, 18.0, 53.0, NULL, NULL, NULL, NULL),
  ('weekday', 'Wednesday', 'Wednesday', 204, 17.3, 51.0, NULL, NULL, NULL, NULL),
  ('weekday', 'Thursday', 'Thursday', 220, 18.6, 55.0, NULL, NULL, NULL, NULL),
  ('weekday', 'Friday', 'Friday', 188, 15.9, 47.0, NULL, NULL, NULL, NULL),
  ('weekday', 'Saturday', 'Saturday', 36, 3.1, 9.0, NULL, NULL, NULL, NULL),
  ('weekday', 'Sunday', 'Sunday', 24, 2.0, 6.0, NULL, NULL, NULL, NULL),
  ('group', 'Sales', 'Sales', 401, 34.0, NULL, NULL, NULL, NULL, NULL),
  ('group', 'Clients', 'Clients', 330, 28.0, NULL, NULL, NULL, NULL, NULL),
  ('group', 'Engineering', 'Engineering', 236, 20.0, NULL, NULL, NULL, NULL, NULL),
  ('group', 'Newsletters', 'Newsletters', 213, 18.0, NULL, NULL, NULL, NULL, NULL),
  ('trend', 'client_escalations', 'Client escalations', 14, NULL, NULL, 10, 40.0, NULL, NULL),
  ('trend', 'urgent', 'Urgent emails', 61, NULL, NULL, 58, 5.2, NULL, NULL),
  ('response_time', 'overall', 'overall', 310, NULL, NULL, NULL, NULL, 138.0, 52.0)
) AS p(kind, key, label, emails, share_pct, per_day, previous_emails, change_pct, avg_minutes, median_minutes)
UNION ALL
-- Hours: a morning peak at 08:00-10:00 and a smaller one after lunch.
SELECT 'hour', lpad(h::text, 2, '0'), lpad(h::text, 2, '0') || ':00-' || lpad(((h + 1) % 24)::text, 2, '0') || ':00',
       n, round(n * 100.0 / 1180, 1), NULL, NULL, NULL, NULL, NULL
FROM (SELECT h, (CASE WHEN h IN (8, 9) THEN 150 WHEN h = 14 THEN 110 WHEN h BETWEEN 7 AND 18 THEN 70
                      WHEN h BETWEEN 19 AND 22 THEN 16 ELSE 3 END)::bigint AS n
      FROM generate_series(0, 23) AS h) AS hours
) AS patterns;

-- ---------------------------------------------------------------- demo scenes: the calendar
-- Two weeks of meetings (this week, Monday to Sunday, and the next), wall-clock times in :tz. Wednesday is the
-- busy one: a back-to-back morning, no lunch, a tight move to a client's site and an overlap. What the calendar
-- job derives (days, conflicts, free blocks, travel) is computed from these events below.

CREATE TEMP TABLE seed_events ON COMMIT DROP AS
SELECT 'ev-' || w || '-' || e.key AS id, monday + w * 7 + e.day_offset AS local_date, e.*
FROM (SELECT (:'today'::date - (extract(isodow FROM :'today'::date)::int - 1)) AS monday) AS week,
     generate_series(0, 1) AS w,
     (VALUES
       -- key, day (0 = Monday), start, end, summary, location, kind, attendees: (address, name, organisation domain)
       ('standup-mon', 0, time '09:00', time '09:30', 'Team standup', NULL, NULL, ARRAY['lisa.park@mindy.example|Lisa Park', 'mike.chen@mindy.example|Mike Chen']),
       ('lisa-1on1', 0, time '14:00', time '14:30', '1:1 Lisa / Sarah', NULL, NULL, ARRAY['lisa.park@mindy.example|Lisa Park']),
       ('standup-tue', 1, time '09:00', time '09:30', 'Team standup', NULL, NULL, ARRAY['lisa.park@mindy.example|Lisa Park', 'mike.chen@mindy.example|Mike Chen']),
       ('roadmap', 1, time '10:00', time '11:00', 'Product roadmap', 'Room 4', 'physical', ARRAY['lisa.park@mindy.example|Lisa Park']),
       ('initech', 1, time '16:00', time '17:00', 'Initech intro', 'Zoom', 'virtual', ARRAY['peter.gibbons@initech.example|Peter Gibbons']),
       ('pipeline', 2, time '09:00', time '10:00', 'Pipeline review', 'Office', 'physical', ARRAY['mike.chen@mindy.example|Mike Chen']),
       ('strategy', 2, time '10:00', time '11:30', 'Strategy review', 'Office', 'physical', ARRAY['mike.chen@mindy.example|Mike Chen', 'lisa.park@mindy.example|Lisa Park']),
       ('hiring', 2, time '11:30', time '12:30', 'Hiring sync', 'Office', 'physical', ARRAY['lisa.park@mindy.example|Lisa Park']),
       ('board', 2, time '12:30', time '14:00', 'Board deck prep', 'Office', 'physical', ARRAY['mike.chen@mindy.example|Mike Chen']),
       ('site', 2, time '14:15', time '15:00', 'Client site visit', 'Acme HQ', 'physical', ARRAY['tom.anderson@acmecorp.example|Tom Anderson']),
       ('budget', 2, time '15:15', time '16:15', 'Budget review', 'Office', 'physical', ARRAY['mike.chen@mindy.example|Mike Chen']),
       ('vendor', 2, time '15:45', time '16:30', 'Vendor call', 'Zoom', 'virtual', ARRAY['sales@supplyco.example|Supply Co']),
       ('standup-thu', 3, time '09:00', time '09:30', 'Team standup', NULL, NULL, ARRAY['lisa.park@mindy.example|Lisa Park', 'mike.chen@mindy.example|Mike Chen']),
       ('q4', 3, time '10:00', time '11:00', 'Q4 planning with Sales', 'Room 4', 'physical', ARRAY['mike.chen@mindy.example|Mike Chen']),
       ('techflow', 3, time '15:00', time '16:00', 'TechFlow renewal', 'Zoom', 'virtual', ARRAY['jennifer.wu@techflow.example|Jennifer Wu']),
       ('acme-qbr', 4, time '11:00', time '12:00', 'Acme quarterly business review', 'Zoom', 'virtual', ARRAY['tom.anderson@acmecorp.example|Tom Anderson', 'rachel.kim@acmecorp.example|Rachel Kim'])
     ) AS e(key, day_offset, start_time, end_time, summary, location, location_kind, attendees);

INSERT INTO calendar_events (id, calendar_id, event_id, recurrence_id, status, summary, location, location_kind, all_day,
                             starts_at, ends_at, local_date, local_start, local_end, duration_minutes, organizer_address,
                             organizer_name, participant_count, busy, is_meeting, is_one_on_one, counterpart_address,
                             recurring, timezone, updated, ingested_at)
SELECT e.id, 'primary', e.id, NULL, 'confirmed', e.summary, e.location, e.location_kind, false,
       (e.local_date + e.start_time) AT TIME ZONE :'tz', (e.local_date + e.end_time) AT TIME ZONE :'tz',
       e.local_date, e.local_date + e.start_time, e.local_date + e.end_time,
       extract(epoch FROM e.end_time - e.start_time)::int / 60, 'sarah@mindy.example', 'Sarah Johnson',
       cardinality(e.attendees) + 1, true, true, cardinality(e.attendees) = 1,
       CASE WHEN cardinality(e.attendees) = 1 THEN split_part(e.attendees[1], '|', 1) END,
       e.key LIKE 'standup%', :'tz', now() - interval '1 day', now() - interval '15 minutes'
FROM seed_events AS e;

INSERT INTO calendar_attendees (id, address, date, starts_at, summary, name, is_self, is_organizer, response, org_domain,
                                is_external)
SELECT e.id, a.address, e.local_date, c.starts_at, e.summary, a.name, a.address = 'sarah@mindy.example',
       a.address = 'sarah@mindy.example', 'accepted', split_part(a.address, '@', 2),
       split_part(a.address, '@', 2) <> 'mindy.example'
FROM seed_events AS e
JOIN calendar_events AS c ON c.id = e.id
CROSS JOIN LATERAL (
  SELECT split_part(x, '|', 1) AS address, split_part(x, '|', 2) AS name FROM unnest(e.attendees) AS x
  UNION ALL SELECT 'sarah@mindy.example', 'Sarah Johnson'
) AS a;

INSERT INTO calendar_conflicts (date, first_id, second_id, first_summary, first_start, first_end, second_summary,
                                second_start, second_end, overlap_start, overlap_end, overlap_minutes, computed_at)
SELECT a.local_date, a.id, b.id, a.summary, a.local_start, a.local_end, b.summary, b.local_start, b.local_end,
       b.local_start, least(a.local_end, b.local_end),
       extract(epoch FROM least(a.local_end, b.local_end) - b.local_start)::int / 60, now() - interval '15 minutes'
FROM calendar_events AS a
JOIN calendar_events AS b ON b.local_date = a.local_date AND b.id <> a.id
 AND (b.local_start, b.id) > (a.local_start, a.id) AND b.local_start < a.local_end;

-- Free time within working hours (09:00-18:00): the gaps between meetings, overlaps merged.
INSERT INTO calendar_free_blocks (date, block_start, block_end, minutes, lunch_minutes, computed_at)
WITH bounds AS (
  SELECT d AS date, d + time '09:00' AS day_start, d + time '18:00' AS day_end
  FROM (SELECT DISTINCT local_date AS d FROM calendar_events) AS days
), edges AS (
  SELECT b.date, b.day_start, b.day_end, e.local_start,
         max(e.local_end) OVER (PARTITION BY b.date ORDER BY e.local_start, e.id
                                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS busy_until
  FROM bounds AS b JOIN calendar_events AS e ON e.local_date = b.date
), gaps AS (
  SELECT date, greatest(coalesce(busy_until, day_start), day_start) AS block_start, least(local_start, day_end) AS block_end
  FROM edges
  UNION ALL
  SELECT b.date, greatest(max(e.local_end), b.day_start), b.day_end
  FROM bounds AS b JOIN calendar_events AS e ON e.local_date = b.date
  GROUP BY b.date, b.day_start, b.day_end
)
SELECT date, block_start, block_end, extract(epoch FROM block_end - block_start)::int / 60,
       greatest(0, extract(epoch FROM least(block_end, date + time '14:00') - greatest(block_start, date + time '12:00'))::int / 60),
       now() - interval '15 minutes'
FROM gaps WHERE block_end > block_start;

-- Moves between two physical places, from one meeting to the next.
INSERT INTO calendar_travel (date, from_id, to_id, from_summary, from_location, from_end, to_summary, to_location,
                             to_start, gap_minutes, tight, computed_at)
SELECT local_date, prev_id, id, prev_summary, prev_location, prev_end, summary, location, local_start,
       extract(epoch FROM local_start - prev_end)::int / 60, local_start - prev_end < interval '30 minutes',
       now() - interval '15 minutes'
FROM (
  SELECT e.*, lag(id) OVER w AS prev_id, lag(summary) OVER w AS prev_summary, lag(location) OVER w AS prev_location,
         lag(local_end) OVER w AS prev_end
  FROM calendar_events AS e WHERE location_kind = 'physical'
  WINDOW w AS (PARTITION BY local_date ORDER BY local_start, id)
) AS moves
WHERE prev_location IS NOT NULL AND prev_location <> location;

-- One row per day with events: meetings, free time, lunch, back-to-back runs (meetings with no gap between them).
INSERT INTO calendar_days (date, weekday, meeting_count, meeting_minutes, meeting_hours, first_start, last_end,
                           busy_minutes, working_minutes, free_minutes, free_hours, longest_free_minutes, lunch_free,
                           back_to_back_runs, longest_back_to_back_minutes, longest_back_to_back_start,
                           longest_back_to_back_end, longest_back_to_back_meetings, conflict_count, location_count,
                           locations, travel_count, tight_travel_count, participant_count, external_participant_count,
                           organisation_count, organisations, one_on_one_count, all_day_events, computed_at)
WITH islands AS (
  SELECT local_date, local_start, local_end,
         sum(CASE WHEN local_start > coalesce(reach, '-infinity') THEN 1 ELSE 0 END)
           OVER (PARTITION BY local_date ORDER BY local_start, id) AS run
  FROM (SELECT e.*, max(local_end) OVER (PARTITION BY local_date ORDER BY local_start, id
                                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
        FROM calendar_events AS e) AS ordered
), runs AS (
  SELECT local_date, min(local_start) AS run_start, max(local_end) AS run_end, count(*) AS meetings,
         extract(epoch FROM max(local_end) - min(local_start))::bigint / 60 AS minutes
  FROM islands GROUP BY local_date, run HAVING count(*) > 1
), longest AS (
  SELECT DISTINCT ON (local_date) * FROM runs ORDER BY local_date, minutes DESC, run_start
), free AS (
  SELECT date, sum(minutes) AS minutes, max(minutes) AS longest, bool_or(lunch_minutes >= 30) AS lunch_free
  FROM calendar_free_blocks GROUP BY date
), people AS (
  SELECT date, count(DISTINCT address) FILTER (WHERE NOT is_self) AS participants,
         count(DISTINCT address) FILTER (WHERE is_external) AS external,
         count(DISTINCT org_domain) FILTER (WHERE is_external) AS organisations,
         string_agg(DISTINCT org_domain, ', ') FILTER (WHERE is_external) AS organisation_list
  FROM calendar_attendees GROUP BY date
)
SELECT e.local_date, trim(to_char(e.local_date, 'Day')), count(*), sum(e.duration_minutes),
       round(sum(e.duration_minutes) / 60.0, 2), min(e.local_start), max(e.local_end),
       540 - coalesce(max(f.minutes), 0), 540, coalesce(max(f.minutes), 0), round(coalesce(max(f.minutes), 0) / 60.0, 2),
       coalesce(max(f.longest), 0), coalesce(bool_or(f.lunch_free), false),
       (SELECT count(*) FROM runs AS r WHERE r.local_date = e.local_date),
       max(l.minutes), max(l.run_start), max(l.run_end), max(l.meetings),
       (SELECT count(*) FROM calendar_conflicts AS c WHERE c.date = e.local_date),
       count(DISTINCT e.location) FILTER (WHERE e.location_kind = 'physical'),
       string_agg(DISTINCT e.location, ', ') FILTER (WHERE e.location_kind = 'physical'),
       (SELECT count(*) FROM calendar_travel AS t WHERE t.date = e.local_date),
       (SELECT count(*) FROM calendar_travel AS t WHERE t.date = e.local_date AND t.tight),
       max(p.participants), max(p.external), max(p.organisations), max(p.organisation_list),
       count(*) FILTER (WHERE e.is_one_on_one), 0, now() - interval '15 minutes'
FROM calendar_events AS e
LEFT JOIN free AS f ON f.date = e.local_date
LEFT JOIN longest AS l ON l.local_date = e.local_date
LEFT JOIN people AS p ON p.date = e.local_date
GROUP BY e.local_date;

INSERT INTO calendar_patterns (period, as_of, period_start, working_days, meeting_count, meeting_hours, working_hours,
                               meeting_share_pct, avg_meetings_per_working_day, busiest_weekday,
                               busiest_weekday_avg_hours, lightest_weekday, one_on_one_count, conflict_count,
                               days_without_lunch, overrun_observed_meetings, overrun_meetings, avg_overrun_minutes,
                               computed_at)
VALUES ('last_30_days', :'today'::date, :'today'::date - 29, 21, 88, 118.5, 189, 62.7, 4.2, 'Wednesday', 6.5,
        'Friday', 6, 5, 4, 20, 12, 18, now() - interval '15 minutes');

INSERT INTO calendar_one_on_ones (counterpart_address, counterpart_name, is_direct_report, one_on_ones_30d, last_date,
                                  next_date, as_of, computed_at)
VALUES ('lisa.park@mindy.example', 'Lisa Park', true, 4, :'today'::date - 3, :'today'::date + 4, :'today'::date, now()),
       ('mike.chen@mindy.example', 'Mike Chen', true, 0, :'today'::date - 41, NULL, :'today'::date, now()),
       ('ana.lopez@mindy.example', 'Ana Lopez', true, 0, NULL, NULL, :'today'::date, now());

-- ---------------------------------------------------------------- actions: the people a drafted reply names
-- The user (whose address a reply is sent from), Tom and Lisa of the Acme thread above, and Mike Stevens, the
-- colleague "loop in Mike" resolves to (actions, issue 19: "Draft a response to Tom ... and loop in Mike").
INSERT INTO contacts (address, name, title, organization, domain, role, group_name, is_user, first_seen, last_seen,
                      emails_from, emails_from_30d, emails_to, emails_to_30d, last_from_at, last_to_at,
                      avg_sentiment_30d, negative_30d, urgent_30d, awaiting_reply, avg_response_minutes, computed_at)
VALUES ('sarah@mindy.example', 'Sarah Johnson', 'VP Customer Success', NULL, 'mindy.example', 'internal', 'Leadership',
        true, now() - interval '400 days', now() - interval '1 hour', 0, 0, 0, 0, NULL, NULL, NULL, 0, 0, 0, NULL,
        now() - interval '10 minutes'),
       ('tom.anderson@acmecorp.example', 'Tom Anderson', 'VP Engineering', 'Acme Corp', 'acmecorp.example', 'client',
        'Clients', false, now() - interval '200 days', now() - interval '6 hours', 3, 3, 1, 1,
        now() - interval '6 hours', now() - interval '20 days', -0.5, 2, 2, 2, 95, now() - interval '10 minutes'),
       ('lisa.chen@acmecorp.example', 'Lisa Chen', 'VP Operations', 'Acme Corp', 'acmecorp.example', 'client',
        'Clients', false, now() - interval '150 days', now() - interval '6 hours', 0, 0, 0, 0, NULL, NULL, NULL, 0, 0,
        0, NULL, now() - interval '10 minutes'),
       ('mike.stevens@mindy.example', 'Mike Stevens', 'CTO', NULL, 'mindy.example', 'internal', 'Leadership', false,
        now() - interval '400 days', now() - interval '2 days', 12, 4, 15, 5, now() - interval '2 days',
        now() - interval '3 days', 0.2, 0, 0, 0, 40, now() - interval '10 minutes');

COMMIT;
