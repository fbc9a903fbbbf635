#!/usr/bin/env bash
# How fresh the serving tables are: the time from a new email entering Kafka (`mindy ingest eml`)
# to its row in PostgreSQL's `email_insights`, through the continuous pipeline (validator →
# stream → enrich → exporter). Needs the stack with the pipeline running:
#
#   ./stack up && ./stack up pipeline && benches/pipeline/freshness.sh [--runs N]
#
# Prints each probe's seconds, then the median and the slowest. A probe is an ordinary email
# from a sender of the persona's world with a unique subject; it stays in the lake like any mail.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
runs=5
while (($#)); do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    *) echo "usage: $0 [--runs N]" >&2; exit 2 ;;
  esac
done
# shellcheck disable=SC1091
set -a; source .stack/env; set +a
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
times=()
for ((i = 1; i <= runs; i++)); do
  token=$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')
  subject="Freshness probe $token"
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
  until [[ $(psql "$DATABASE_URL" -tAc "SELECT count(*) FROM email_insights WHERE subject = '$subject'") == 1 ]]; do
    sleep 0.5
    if (($(printf '%.0f' "$(echo "$(date +%s.%N) - $start" | bc)") > 900)); then
      echo "probe $i: not in email_insights after 900 s" >&2; exit 1
    fi
  done
  t=$(echo "$(date +%s.%N) - $start" | bc)
  times+=("$t")
  printf 'probe %d: %.1f s\n' "$i" "$t"
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "median %.1f s, slowest %.1f s over %d probes\n", a[int((NR+1)/2)], a[NR], NR}'
