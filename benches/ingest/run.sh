#!/usr/bin/env bash
# Throughput of `mindy ingest mbox` (issue 14): a generated mbox of the demo persona's mail
# (100 MB by default, never committed: written to the temporary directory and deleted after),
# ingested by a release build of mindy into fresh topics on the stack's Kafka; prints MB/s and
# messages/s per run. Compare builds by passing other binaries with --mindy.
#
#   source .stack/env && benches/ingest/run.sh [--size-mb 100] [--runs 3] [--mindy /path/to/old/mindy]
#
# Builds mindy and the benchmark in release mode (the first time takes several minutes).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

: "${MINDY_KAFKA_BOOTSTRAP:?source .stack/env first (the local stack must be up)}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/mini-mindy/target}"

cargo build --release --quiet -p mindy-pipeline --bin mindy --example ingest_mbox
exec "$CARGO_TARGET_DIR/release/examples/ingest_mbox" --mindy "$CARGO_TARGET_DIR/release/mindy" "$@"
