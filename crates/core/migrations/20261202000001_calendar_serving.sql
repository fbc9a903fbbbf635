-- The calendar's serving tables (issue 17). Each is a Delta table of the lake exported as is:
-- every column here has the same name in that Delta table (crates/core/src/lake.rs), the primary
-- key is the Delta table's key, and rows are upserted and deleted from the table's change feed.
-- Times: `*_at` columns are instants; `local_*` and the silver tables' times are wall-clock times
-- in the user's timezone (USER_TIMEZONE), which is also the zone of every `date`.

-- bronze/calendar_events: the calendar as it is now.
CREATE TABLE IF NOT EXISTS calendar_events (
    id                  text        PRIMARY KEY,
    calendar_id         text        NOT NULL,
    event_id            text        NOT NULL,
    recurrence_id       text,
    status              text        NOT NULL,
    summary             text        NOT NULL,
    location            text,
    location_kind       text,
    all_day             boolean     NOT NULL,
    starts_at           timestamptz,
    ends_at             timestamptz,
    local_date          date,
    local_start         timestamp,
    local_end           timestamp,
    duration_minutes    integer,
    organizer_address   text,
    organizer_name      text,
    participant_count   integer,
    busy                boolean,
    is_meeting          boolean,
    is_one_on_one       boolean,
    counterpart_address text,
    recurring           boolean,
    timezone            text,
    updated             timestamptz,
    ingested_at         timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS calendar_events_local_date_idx ON calendar_events (local_date);
CREATE INDEX IF NOT EXISTS calendar_events_starts_at_idx ON calendar_events (starts_at);
CREATE INDEX IF NOT EXISTS calendar_events_counterpart_idx ON calendar_events (counterpart_address);

-- silver/calendar_attendees: who is in each meeting, and their organisation.
CREATE TABLE IF NOT EXISTS calendar_attendees (
    id           text    NOT NULL,
    address      text    NOT NULL,
    date         date,
    starts_at    timestamptz,
    summary      text,
    name         text,
    is_self      boolean,
    is_organizer boolean,
    response     text,
    org_domain   text,
    is_external  boolean,
    PRIMARY KEY (id, address)
);
CREATE INDEX IF NOT EXISTS calendar_attendees_org_idx ON calendar_attendees (org_domain, date);
CREATE INDEX IF NOT EXISTS calendar_attendees_date_idx ON calendar_attendees (date);

-- silver/calendar_days: one row per day with events.
CREATE TABLE IF NOT EXISTS calendar_days (
    date                          date PRIMARY KEY,
    weekday                       text,
    meeting_count                 bigint,
    meeting_minutes               bigint,
    meeting_hours                 double precision,
    first_start                   timestamp,
    last_end                      timestamp,
    busy_minutes                  bigint,
    working_minutes               bigint,
    free_minutes                  bigint,
    free_hours                    double precision,
    longest_free_minutes          bigint,
    lunch_free                    boolean,
    back_to_back_runs             bigint,
    longest_back_to_back_minutes  bigint,
    longest_back_to_back_start    timestamp,
    longest_back_to_back_end      timestamp,
    longest_back_to_back_meetings bigint,
    conflict_count                bigint,
    location_count                bigint,
    locations                     text,
    travel_count                  bigint,
    tight_travel_count            bigint,
    participant_count             bigint,
    external_participant_count    bigint,
    organisation_count            bigint,
    organisations                 text,
    one_on_one_count              bigint,
    all_day_events                bigint,
    computed_at                   timestamptz
);

-- silver/calendar_conflicts: overlapping meetings, both named.
CREATE TABLE IF NOT EXISTS calendar_conflicts (
    date            date NOT NULL,
    first_id        text NOT NULL,
    second_id       text NOT NULL,
    first_summary   text,
    first_start     timestamp,
    first_end       timestamp,
    second_summary  text,
    second_start    timestamp,
    second_end      timestamp,
    overlap_start   timestamp,
    overlap_end     timestamp,
    overlap_minutes integer,
    computed_at     timestamptz,
    PRIMARY KEY (date, first_id, second_id)
);

-- silver/calendar_free_blocks: free time within working hours.
CREATE TABLE IF NOT EXISTS calendar_free_blocks (
    date          date      NOT NULL,
    block_start   timestamp NOT NULL,
    block_end     timestamp,
    minutes       integer,
    lunch_minutes integer,
    computed_at   timestamptz,
    PRIMARY KEY (date, block_start)
);

-- silver/calendar_travel: moves between physical locations.
CREATE TABLE IF NOT EXISTS calendar_travel (
    date          date NOT NULL,
    from_id       text NOT NULL,
    to_id         text NOT NULL,
    from_summary  text,
    from_location text,
    from_end      timestamp,
    to_summary    text,
    to_location   text,
    to_start      timestamp,
    gap_minutes   integer,
    tight         boolean,
    computed_at   timestamptz,
    PRIMARY KEY (date, from_id, to_id)
);

-- gold/calendar_weeks: weekly meeting patterns.
CREATE TABLE IF NOT EXISTS calendar_weeks (
    week_start                   date PRIMARY KEY,
    meeting_count                integer,
    meeting_hours                double precision,
    working_hours                double precision,
    meeting_share_pct            double precision,
    busiest_date                 date,
    busiest_weekday              text,
    busiest_date_meetings        bigint,
    busiest_date_hours           double precision,
    conflict_count               integer,
    one_on_one_count             integer,
    longest_back_to_back_minutes bigint,
    days_without_lunch           integer,
    computed_at                  timestamptz
);

-- gold/calendar_patterns: the last 30 days.
CREATE TABLE IF NOT EXISTS calendar_patterns (
    period                       text PRIMARY KEY,
    as_of                        date,
    period_start                 date,
    working_days                 integer,
    meeting_count                integer,
    meeting_hours                double precision,
    working_hours                double precision,
    meeting_share_pct            double precision,
    avg_meetings_per_working_day double precision,
    busiest_weekday              text,
    busiest_weekday_avg_hours    double precision,
    lightest_weekday             text,
    one_on_one_count             integer,
    conflict_count               integer,
    days_without_lunch           integer,
    overrun_observed_meetings    integer,
    overrun_meetings             integer,
    avg_overrun_minutes          double precision,
    computed_at                  timestamptz
);

-- gold/calendar_one_on_ones: 1-on-1s per counterpart and direct report.
CREATE TABLE IF NOT EXISTS calendar_one_on_ones (
    counterpart_address text PRIMARY KEY,
    counterpart_name    text,
    is_direct_report    boolean,
    one_on_ones_30d     integer,
    last_date           date,
    next_date           date,
    as_of               date,
    computed_at         timestamptz
);

COMMENT ON TABLE calendar_events IS 'The user''s calendar: one row per event occurrence (recurring events expanded), latest version; cancelled events are removed';
COMMENT ON COLUMN calendar_events.id IS 'occurrence id: calendar/event, plus the original start for an occurrence of a recurring event';
COMMENT ON COLUMN calendar_events.calendar_id IS 'the calendar: google:<id> or ics:<file name>';
COMMENT ON COLUMN calendar_events.event_id IS 'the event (the series for a recurring event)';
COMMENT ON COLUMN calendar_events.recurrence_id IS 'original start of this occurrence of a recurring event, null for a single event';
COMMENT ON COLUMN calendar_events.status IS 'confirmed or tentative';
COMMENT ON COLUMN calendar_events.summary IS 'the event title';
COMMENT ON COLUMN calendar_events.location IS 'where: a room, an address or a video-call link';
COMMENT ON COLUMN calendar_events.location_kind IS 'physical or virtual (video/phone), null without a location';
COMMENT ON COLUMN calendar_events.all_day IS 'true for an all-day event';
COMMENT ON COLUMN calendar_events.starts_at IS 'start instant (an all-day event starts at local midnight)';
COMMENT ON COLUMN calendar_events.ends_at IS 'end instant';
COMMENT ON COLUMN calendar_events.local_date IS 'the day it starts on, in the user''s timezone';
COMMENT ON COLUMN calendar_events.local_start IS 'start, wall-clock time in the user''s timezone';
COMMENT ON COLUMN calendar_events.local_end IS 'end, wall-clock time in the user''s timezone';
COMMENT ON COLUMN calendar_events.duration_minutes IS 'length in minutes';
COMMENT ON COLUMN calendar_events.organizer_address IS 'organizer''s e-mail address';
COMMENT ON COLUMN calendar_events.organizer_name IS 'organizer''s name';
COMMENT ON COLUMN calendar_events.participant_count IS 'people invited, organizer included, those who declined excluded';
COMMENT ON COLUMN calendar_events.busy IS 'true when it blocks the user''s time (timed, not free/transparent, not declined by the user)';
COMMENT ON COLUMN calendar_events.is_meeting IS 'busy and with at least one person besides the user';
COMMENT ON COLUMN calendar_events.is_one_on_one IS 'a meeting of exactly two people';
COMMENT ON COLUMN calendar_events.counterpart_address IS 'for a 1-on-1: the other person''s address';
COMMENT ON COLUMN calendar_events.recurring IS 'true for an occurrence of a recurring event';
COMMENT ON COLUMN calendar_events.timezone IS 'the zone the event was written in (IANA name)';
COMMENT ON COLUMN calendar_events.updated IS 'when the event was last changed at its source';
COMMENT ON COLUMN calendar_events.ingested_at IS 'when this version was read from its source';

COMMENT ON TABLE calendar_attendees IS 'Who takes part in each meeting (organizer included), with their organisation; join org_domain with e-mail sender domains';
COMMENT ON COLUMN calendar_attendees.id IS 'the meeting (calendar_events.id)';
COMMENT ON COLUMN calendar_attendees.address IS 'participant''s e-mail address, lower case';
COMMENT ON COLUMN calendar_attendees.date IS 'the meeting''s day in the user''s timezone';
COMMENT ON COLUMN calendar_attendees.starts_at IS 'the meeting''s start instant';
COMMENT ON COLUMN calendar_attendees.summary IS 'the meeting''s title';
COMMENT ON COLUMN calendar_attendees.name IS 'participant''s name';
COMMENT ON COLUMN calendar_attendees.is_self IS 'true for the user';
COMMENT ON COLUMN calendar_attendees.is_organizer IS 'true for the organizer';
COMMENT ON COLUMN calendar_attendees.response IS 'accepted, declined, tentative or needs_action';
COMMENT ON COLUMN calendar_attendees.org_domain IS 'the participant''s organisation: their e-mail domain, lower case, e.g. acmecorp.example';
COMMENT ON COLUMN calendar_attendees.is_external IS 'true when the organisation is not the user''s own';

COMMENT ON TABLE calendar_days IS 'Calendar statistics per day (in the user''s timezone) with at least one event';
COMMENT ON COLUMN calendar_days.date IS 'the day';
COMMENT ON COLUMN calendar_days.weekday IS 'Monday .. Sunday';
COMMENT ON COLUMN calendar_days.meeting_count IS 'meetings that day';
COMMENT ON COLUMN calendar_days.meeting_minutes IS 'minutes in meetings';
COMMENT ON COLUMN calendar_days.meeting_hours IS 'hours in meetings';
COMMENT ON COLUMN calendar_days.first_start IS 'start of the first meeting (local time)';
COMMENT ON COLUMN calendar_days.last_end IS 'end of the last meeting (local time)';
COMMENT ON COLUMN calendar_days.busy_minutes IS 'minutes blocked by any busy event, overlaps counted once';
COMMENT ON COLUMN calendar_days.working_minutes IS 'length of the working day (MINDY_WORKING_HOURS)';
COMMENT ON COLUMN calendar_days.free_minutes IS 'free minutes within working hours';
COMMENT ON COLUMN calendar_days.free_hours IS 'free hours within working hours';
COMMENT ON COLUMN calendar_days.longest_free_minutes IS 'the longest free block within working hours, minutes';
COMMENT ON COLUMN calendar_days.lunch_free IS 'true when at least 30 minutes between 12:00 and 14:00 are free';
COMMENT ON COLUMN calendar_days.back_to_back_runs IS 'runs of two or more meetings with at most 5 minutes between them';
COMMENT ON COLUMN calendar_days.longest_back_to_back_minutes IS 'length of the longest back-to-back run, minutes';
COMMENT ON COLUMN calendar_days.longest_back_to_back_start IS 'start of the longest back-to-back run (local time)';
COMMENT ON COLUMN calendar_days.longest_back_to_back_end IS 'end of the longest back-to-back run (local time)';
COMMENT ON COLUMN calendar_days.longest_back_to_back_meetings IS 'meetings in the longest back-to-back run';
COMMENT ON COLUMN calendar_days.conflict_count IS 'pairs of overlapping events (see calendar_conflicts)';
COMMENT ON COLUMN calendar_days.location_count IS 'different physical locations of the day''s meetings';
COMMENT ON COLUMN calendar_days.locations IS 'those locations, separated by "; "';
COMMENT ON COLUMN calendar_days.travel_count IS 'moves between different physical locations (see calendar_travel)';
COMMENT ON COLUMN calendar_days.tight_travel_count IS 'moves with less than 30 minutes between the meetings';
COMMENT ON COLUMN calendar_days.participant_count IS 'different people in the day''s meetings, the user excluded';
COMMENT ON COLUMN calendar_days.external_participant_count IS 'of them, people from other organisations';
COMMENT ON COLUMN calendar_days.organisation_count IS 'external organisations met that day';
COMMENT ON COLUMN calendar_days.organisations IS 'their domains, separated by "; "';
COMMENT ON COLUMN calendar_days.one_on_one_count IS '1-on-1 meetings that day';
COMMENT ON COLUMN calendar_days.all_day_events IS 'all-day events that day (not counted as meetings)';
COMMENT ON COLUMN calendar_days.computed_at IS 'when the row last changed';

COMMENT ON TABLE calendar_conflicts IS 'Pairs of overlapping events (conflicts, double bookings), both named';
COMMENT ON COLUMN calendar_conflicts.date IS 'the day';
COMMENT ON COLUMN calendar_conflicts.first_id IS 'the earlier-starting event (calendar_events.id)';
COMMENT ON COLUMN calendar_conflicts.second_id IS 'the other event (calendar_events.id)';
COMMENT ON COLUMN calendar_conflicts.first_summary IS 'title of the first event';
COMMENT ON COLUMN calendar_conflicts.first_start IS 'start of the first event (local time)';
COMMENT ON COLUMN calendar_conflicts.first_end IS 'end of the first event (local time)';
COMMENT ON COLUMN calendar_conflicts.second_summary IS 'title of the second event';
COMMENT ON COLUMN calendar_conflicts.second_start IS 'start of the second event (local time)';
COMMENT ON COLUMN calendar_conflicts.second_end IS 'end of the second event (local time)';
COMMENT ON COLUMN calendar_conflicts.overlap_start IS 'when the overlap starts (local time)';
COMMENT ON COLUMN calendar_conflicts.overlap_end IS 'when it ends (local time)';
COMMENT ON COLUMN calendar_conflicts.overlap_minutes IS 'length of the overlap, minutes';
COMMENT ON COLUMN calendar_conflicts.computed_at IS 'when the row last changed';

COMMENT ON TABLE calendar_free_blocks IS 'Free time within working hours on days with events';
COMMENT ON COLUMN calendar_free_blocks.date IS 'the day';
COMMENT ON COLUMN calendar_free_blocks.block_start IS 'start of the free block (local time)';
COMMENT ON COLUMN calendar_free_blocks.block_end IS 'end of the free block (local time)';
COMMENT ON COLUMN calendar_free_blocks.minutes IS 'length, minutes';
COMMENT ON COLUMN calendar_free_blocks.lunch_minutes IS 'minutes of it between 12:00 and 14:00';
COMMENT ON COLUMN calendar_free_blocks.computed_at IS 'when the row last changed';

COMMENT ON TABLE calendar_travel IS 'Moves between two consecutive events at different physical locations';
COMMENT ON COLUMN calendar_travel.date IS 'the day';
COMMENT ON COLUMN calendar_travel.from_id IS 'the event left (calendar_events.id)';
COMMENT ON COLUMN calendar_travel.to_id IS 'the event travelled to (calendar_events.id)';
COMMENT ON COLUMN calendar_travel.from_summary IS 'title of the event left';
COMMENT ON COLUMN calendar_travel.from_location IS 'its location';
COMMENT ON COLUMN calendar_travel.from_end IS 'when it ends (local time)';
COMMENT ON COLUMN calendar_travel.to_summary IS 'title of the next event';
COMMENT ON COLUMN calendar_travel.to_location IS 'its location';
COMMENT ON COLUMN calendar_travel.to_start IS 'when it starts (local time)';
COMMENT ON COLUMN calendar_travel.gap_minutes IS 'minutes between the two events (time left to travel)';
COMMENT ON COLUMN calendar_travel.tight IS 'true when less than 30 minutes are left to travel';
COMMENT ON COLUMN calendar_travel.computed_at IS 'when the row last changed';

COMMENT ON TABLE calendar_weeks IS 'Meeting patterns per week (weeks start on Monday)';
COMMENT ON COLUMN calendar_weeks.week_start IS 'the Monday of the week';
COMMENT ON COLUMN calendar_weeks.meeting_count IS 'meetings that week';
COMMENT ON COLUMN calendar_weeks.meeting_hours IS 'hours in meetings';
COMMENT ON COLUMN calendar_weeks.working_hours IS 'working hours of five working days';
COMMENT ON COLUMN calendar_weeks.meeting_share_pct IS 'weekday meeting hours as a percentage of working hours';
COMMENT ON COLUMN calendar_weeks.busiest_date IS 'the day with the most meeting time';
COMMENT ON COLUMN calendar_weeks.busiest_weekday IS 'its weekday';
COMMENT ON COLUMN calendar_weeks.busiest_date_meetings IS 'meetings on that day';
COMMENT ON COLUMN calendar_weeks.busiest_date_hours IS 'hours of meetings on that day';
COMMENT ON COLUMN calendar_weeks.conflict_count IS 'overlapping pairs that week';
COMMENT ON COLUMN calendar_weeks.one_on_one_count IS '1-on-1s that week';
COMMENT ON COLUMN calendar_weeks.longest_back_to_back_minutes IS 'the longest back-to-back run of the week, minutes';
COMMENT ON COLUMN calendar_weeks.days_without_lunch IS 'weekdays with meetings and no free lunch slot';
COMMENT ON COLUMN calendar_weeks.computed_at IS 'when the row last changed';

COMMENT ON TABLE calendar_patterns IS 'Meeting patterns over the last 30 days (one row, period = last_30_days)';
COMMENT ON COLUMN calendar_patterns.period IS 'last_30_days';
COMMENT ON COLUMN calendar_patterns.as_of IS 'the last day of the period';
COMMENT ON COLUMN calendar_patterns.period_start IS 'the first day of the period';
COMMENT ON COLUMN calendar_patterns.working_days IS 'weekdays in the period';
COMMENT ON COLUMN calendar_patterns.meeting_count IS 'meetings in the period';
COMMENT ON COLUMN calendar_patterns.meeting_hours IS 'hours in meetings';
COMMENT ON COLUMN calendar_patterns.working_hours IS 'working hours of the working days';
COMMENT ON COLUMN calendar_patterns.meeting_share_pct IS 'weekday meeting hours as a percentage of working hours';
COMMENT ON COLUMN calendar_patterns.avg_meetings_per_working_day IS 'meetings per weekday on average';
COMMENT ON COLUMN calendar_patterns.busiest_weekday IS 'the weekday with the most meeting time on average';
COMMENT ON COLUMN calendar_patterns.busiest_weekday_avg_hours IS 'its average meeting hours';
COMMENT ON COLUMN calendar_patterns.lightest_weekday IS 'the weekday with the least meeting time on average';
COMMENT ON COLUMN calendar_patterns.one_on_one_count IS '1-on-1s in the period';
COMMENT ON COLUMN calendar_patterns.conflict_count IS 'overlapping pairs in the period';
COMMENT ON COLUMN calendar_patterns.days_without_lunch IS 'weekdays with meetings and no free lunch slot';
COMMENT ON COLUMN calendar_patterns.overrun_observed_meetings IS 'meetings edited at or after their start; 0 means the calendar says nothing about overruns';
COMMENT ON COLUMN calendar_patterns.overrun_meetings IS 'meetings whose end was moved later during or after them (ran over)';
COMMENT ON COLUMN calendar_patterns.avg_overrun_minutes IS 'average overrun of those, minutes; null when none ran over';
COMMENT ON COLUMN calendar_patterns.computed_at IS 'when the row last changed';

COMMENT ON TABLE calendar_one_on_ones IS '1-on-1 meetings per counterpart, and per direct report even without any';
COMMENT ON COLUMN calendar_one_on_ones.counterpart_address IS 'the other person''s address';
COMMENT ON COLUMN calendar_one_on_ones.counterpart_name IS 'their name';
COMMENT ON COLUMN calendar_one_on_ones.is_direct_report IS 'true for the user''s direct reports (MINDY_DIRECT_REPORTS)';
COMMENT ON COLUMN calendar_one_on_ones.one_on_ones_30d IS '1-on-1s with them in the 30 days ending as_of';
COMMENT ON COLUMN calendar_one_on_ones.last_date IS 'the latest 1-on-1 on or before as_of';
COMMENT ON COLUMN calendar_one_on_ones.next_date IS 'the next 1-on-1 after as_of';
COMMENT ON COLUMN calendar_one_on_ones.as_of IS 'the day the counts are as of';
COMMENT ON COLUMN calendar_one_on_ones.computed_at IS 'when the row last changed';
