#!/usr/bin/env bash
# Accuracy of `mindy enrich`'s sentiment plan on the labelled set (issue 16): scores the
# labelled emails on the Spark cluster and prints accuracy, per-class precision/recall and the
# confusion matrix (all, development half, held-out half; business lexicon and plain VADER).
#
#   source .stack/env && benches/intel/sentiment.sh [--errors] [--sweep]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
: "${MINDY_SPARK_REMOTE:?source .stack/env first (the local stack must be up)}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/mini-mindy/target}"
cargo build --quiet -p mindy-pipeline --example intel_sentiment
exec "$CARGO_TARGET_DIR/debug/examples/intel_sentiment" "$@"
