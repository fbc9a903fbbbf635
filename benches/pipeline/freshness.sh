#!/usr/bin/env bash
# How fresh the serving tables are, through the continuous pipeline (validator → stream →
# enrich → exporter). Needs the stack with the pipeline running:
#
#   ./stack up && ./stack up pipeline && benches/pipeline/freshness.sh [--runs N] [--calendar]
#
# Mail (the default): the time from a new email entering Kafka (`mindy ingest eml`) to its row in
# PostgreSQL's `email_insights`. A probe is an ordinary email from a sender of the persona's world
# with a unique subject; it stays in the lake like any mail.
#
# --calendar: the time from a new event entering Kafka (`mindy ingest ics`, tomorrow 10:00 in
# USER_TIMEZONE) to its row in `calendar_events` (the merged event), and to its rows in
# `calendar_attendees` (silver: the recompute that also refreshes the day, its conflicts and free
# blocks). The probes are events of a calendar of their own (`ics:freshness-probes`, owned by
# the persona): each probe's read replaces the one before, and an empty read at the end withdraws
# the last, so the persona's days are left as they were.
#
# Prints each probe's seconds, then the median and the slowest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
runs=5
calendar=false
while (($#)); do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --calendar) calendar=true; shift ;;
    *) echo "usage: $0 [--runs N] [--calendar]" >&2; exit 2 ;;
  esac
done
# shellcheck disable=SC1091
set -a; source .stack/env; set +a
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
PROBE_CALENDAR=ics:freshness-probes

# withdraw_probes: an empty read of the probes' calendar, which deletes its events.
withdraw_probes() {
  printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Mini-Mindy//freshness probe//EN\r\nEND:VCALENDAR\r\n' \
    >"$dir/probes-withdrawn.ics"
  "$MINDY_BIN" ingest ics --calendar-id "$PROBE_CALENDAR" "$dir/probes-withdrawn.ics" >/dev/null
}

# wait_for START SQL: seconds from START until SQL returns 1 (fails after 900 s).
wait_for() {
  local start=$1 sql=$2
  until [[ $(psql "$DATABASE_URL" -tAc "$sql") == 1 ]]; do
    sleep 0.5
    if (($(printf '%.0f' "$(echo "$(date +%s.%N) - $start" | bc)") > 900)); then
      echo "not served after 900 s: $sql" >&2; exit 1
    fi
  done
  echo "$(date +%s.%N) - $start" | bc
}

# mail_probe TOKEN: one email in; prints its seconds to email_insights.
mail_probe() {
  local token=$1 subject="Freshness probe $1" start
  cat >"$dir/probe-$token.eml" <<MAIL
From: Tom Anderson <tom.anderson@acmecorp.example>
To: Sarah Mitchell <sarah@northwind.example>
Subject: $subject
Date: $(date -R)
Message-ID: <probe-$token@acmecorp.example>
Content-Type: text/plain; charset=utf-8

Hi Sarah, a quick check that this reaches you. Thanks, Tom
MAIL
  start=$(date +%s.%N)
  "$MINDY_BIN" ingest eml "$dir/probe-$token.eml" >/dev/null
  wait_for "$start" "SELECT count(*) FROM email_insights WHERE subject = '$subject'"
}

# calendar_probe TOKEN: one event in; prints its seconds to calendar_events and to
# calendar_attendees.
calendar_probe() {
  local token=$1 summary="Freshness probe $1" day start events attendees
  day=$(TZ=$USER_TIMEZONE date -d tomorrow +%Y%m%d)
  cat >"$dir/probe-$token.ics" <<ICS
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Mini-Mindy//freshness probe//EN
BEGIN:VEVENT
UID:probe-$token@acmecorp.example
DTSTAMP:$(date -u +%Y%m%dT%H%M%SZ)
DTSTART;TZID=$USER_TIMEZONE:${day}T100000
DTEND;TZID=$USER_TIMEZONE:${day}T103000
SUMMARY:$summary
ORGANIZER;CN=Tom Anderson:mailto:tom.anderson@acmecorp.example
ATTENDEE;CN=Sarah Mitchell:mailto:sarah@northwind.example
ATTENDEE;CN=Tom Anderson:mailto:tom.anderson@acmecorp.example
END:VEVENT
END:VCALENDAR
ICS
  start=$(date +%s.%N)
  "$MINDY_BIN" ingest ics --calendar-id "$PROBE_CALENDAR" --owner sarah@northwind.example \
    "$dir/probe-$token.ics" >/dev/null
  events=$(wait_for "$start" "SELECT count(*) FROM calendar_events WHERE summary = '$summary'") || exit 1
  attendees=$(wait_for "$start" "SELECT count(DISTINCT id) FROM calendar_attendees WHERE summary = '$summary'") || exit 1
  echo "$events $attendees"
}

# summarise LABEL SECONDS...: the median and the slowest.
summarise() {
  local label=$1; shift
  printf '%s\n' "$@" | sort -n | awk -v label="$label" '{a[NR]=$1}
    END {printf "%smedian %.1f s, slowest %.1f s over %d probes\n", label, a[int((NR+1)/2)], a[NR], NR}'
}

times=() silver=()
for ((i = 1; i <= runs; i++)); do
  token=$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')
  if $calendar; then
    read -r t s < <(calendar_probe "$token")
    silver+=("$s")
    printf 'probe %d: %.1f s to calendar_events, %.1f s to calendar_attendees\n' "$i" "$t" "$s"
  else
    t=$(mail_probe "$token")
    printf 'probe %d: %.1f s\n' "$i" "$t"
  fi
  times+=("$t")
done
if $calendar; then
  withdraw_probes
  summarise "calendar_events: " "${times[@]}"
  summarise "calendar_attendees: " "${silver[@]}"
else
  summarise "" "${times[@]}"
fi
