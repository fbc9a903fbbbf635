#!/usr/bin/env bash
# Freshness benchmark of `mindy stream` (issue 5): produce mail at a steady rate while the stream
# runs with a 1 s trigger, print p50 / p95 / max latency from produce time to visibility in bronze
# (through the Delta log) and the sustained throughput, then try a few rates for the highest that
# keeps up. Method and figures: benches/stream/README.md.
#
#   source .stack/env && benches/stream/run.sh [--rate 100] [--duration 3m] \
#       [--search-rates 100,300,1000] [--search-duration 60s]      (--help for the rest)
#
# Every run has its own topics (<run id>-p<n>-r<rate>) and lake directory
# ($MINDY_LAKE_ROOT/_bench/<run id>); both are deleted at the end, also on Ctrl-C or an error.
# Takes 8–10 minutes with the defaults on the 2-core machine.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

: "${MINDY_KAFKA_BOOTSTRAP:?source .stack/env first (the local stack must be up)}"
: "${MINDY_SPARK_REMOTE:?source .stack/env first}"
: "${MINDY_LAKE_ROOT:?source .stack/env first}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/mini-mindy/target}"

# Debug build in the shared target dir: the stream's work runs on the Spark cluster, and the
# producer needs a few thousand records a second at most.
cargo build --quiet -p mindy-pipeline --example stream_freshness
bin="$CARGO_TARGET_DIR/debug/examples/stream_freshness"
run_id="bench-stream-$(date -u +%Y%m%d%H%M%S)-$$"

pid=
cleanup() {
    # The benchmark stops its stream and deletes its topic and directory itself on SIGTERM;
    # then whatever a crash may have left is removed by name.
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    "$bin" --cleanup --run-id "$run_id" || echo "cleanup of $run_id failed" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$bin" --run-id "$run_id" "$@" &
pid=$!
wait "$pid"
