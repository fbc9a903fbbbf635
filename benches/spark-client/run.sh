#!/usr/bin/env bash
# spark-client benchmark (issue 3): our client vs PySpark 3.5.7's Spark Connect client vs
# spark-connect-rs 0.0.2 vs the server's `noop` floor, against the local stack's Connect server.
#
#   source .stack/env && benches/spark-client/run.sh [--rows 5000000] [--partitions 10] [--iterations 5] [--latency 50] [--json FILE]
#   benches/spark-client/run.sh --sail [...]       # against a Sail server this run starts and stops
#
# Builds the two Rust drivers in release mode in their own workspaces (this directory and
# connect-rs/, never part of the main workspace) with their own target dir, then runs bench.py
# with PySpark's venv. The first build takes several minutes. SKIP_CONNECT_RS=1 leaves
# spark-connect-rs out. With --sail, Sail (pysail, in its own venv SAIL_VENV, default
# ~/.cache/mini-mindy/venvs/sail-0.7.2, created from PyPI on first use) is the server instead of
# the stack's Spark.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

sail=0
passthrough=()
for a in "$@"; do
    if [[ $a == --sail ]]; then sail=1; else passthrough+=("$a"); fi
done
set -- "${passthrough[@]+"${passthrough[@]}"}"
if ((sail)); then
    venv="${SAIL_VENV:-$HOME/.cache/mini-mindy/venvs/sail-0.7.2}"
    if [[ ! -x $venv/bin/sail ]]; then
        echo "creating the Sail venv $venv (pysail 0.7.2 and the pyspark it imports, from PyPI)" >&2
        python3 -m venv "$venv"
        "$venv/bin/pip" install -q "pysail==0.7.2" "pyspark[connect]==3.5.7"
    fi
    MINDY_SPARK_REMOTE=sail
else
    : "${MINDY_SPARK_REMOTE:?source .stack/env first (the local stack must be up), or pass --sail}"
fi
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
if ((sail)); then
    args+=(--sail "$venv/bin/sail")
else
    args+=(--remote "$MINDY_SPARK_REMOTE")
fi
exec "$python" "$here/bench.py" "${args[@]}" "$@"
