#!/usr/bin/env bash
# spark-client benchmark (issue 3): our client vs PySpark 3.5.7's Spark Connect client vs
# spark-connect-rs 0.0.2 vs the server's `noop` floor, against the local stack's Connect server.
#
#   source .stack/env && benches/spark-client/run.sh [--rows 5000000] [--partitions 10] [--iterations 5] [--latency 50] [--json FILE]
#
# Builds the two Rust drivers in release mode in their own workspaces (this directory and
# connect-rs/, never part of the main workspace) with their own target dir, then runs bench.py
# with PySpark's venv. The first build takes several minutes. SKIP_CONNECT_RS=1 leaves
# spark-connect-rs out.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

: "${MINDY_SPARK_REMOTE:?source .stack/env first (the local stack must be up)}"
export CARGO_TARGET_DIR="${BENCH_TARGET_DIR:-$HOME/.cache/mini-mindy/target-bench}"
python="${PYSPARK_PYTHON_BIN:-$HOME/.cache/mini-mindy/venvs/pyspark-3.5.7/bin/python}"
[[ -x "$python" ]] || { echo "no PySpark venv at $python (./stack up makes it)" >&2; exit 1; }

cargo build --release --locked --quiet --manifest-path "$here/Cargo.toml"
args=(--ours "$CARGO_TARGET_DIR/release/spark-client-bench")
if [[ "${SKIP_CONNECT_RS:-0}" != 1 ]]; then
    cargo build --release --locked --quiet --manifest-path "$here/connect-rs/Cargo.toml"
    args+=(--connect-rs "$CARGO_TARGET_DIR/release/spark-connect-rs-bench")
fi
# PySpark's own logging (Spark Connect client warnings) goes to stderr; the table to stdout.
exec "$python" "$here/bench.py" --remote "$MINDY_SPARK_REMOTE" "${args[@]}" "$@"
