#!/usr/bin/env bash
# Validator benchmark: mindy validate (Rust, with and without Kafka transactions) against a
# straightforward Python validator on confluent-kafka, on the local stack's broker.
#
#   source .stack/env && benches/validator/run.sh [--records 200000]
#
# Builds mindy in release mode (the first time takes several minutes) and keeps the Python side
# in its own virtualenv under ~/.cache/mini-mindy/venvs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

: "${MINDY_KAFKA_BOOTSTRAP:?source .stack/env first (the local stack must be up)}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/mini-mindy/target}"
venv="$HOME/.cache/mini-mindy/venvs/bench-validator"

if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip
    "$venv/bin/pip" install --quiet "confluent-kafka==2.*"
fi

cargo build --release --quiet -p mindy-pipeline --bin mindy
exec "$venv/bin/python" benches/validator/bench.py --mindy "$CARGO_TARGET_DIR/release/mindy" "$@"
