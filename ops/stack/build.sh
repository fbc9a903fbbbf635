# shellcheck shell=bash
# The workspace's binaries, with the dependencies' features resolved once for both (`-p
# mindy-pipeline -p mindy-api`: a crate both use is compiled once, with every feature either
# needs), in two phases: `mindy` first — the pipeline's jobs and the database migrations need it
# — then `mindy-api`, whose own dependencies (axum, utoipa, deltalake for the lake dashboard)
# are about a third of the compile time and are needed only when the API starts. `up` starts the
# build first, in the background, so it overlaps the downloads and the services' start; the
# second phase runs at the lowest CPU priority while the demo's steps run on Spark. Whoever
# needs a binary waits for it (with a heartbeat: crates compiled so far, the one compiling now).
# `./stack test` builds in one phase through `cargo test --no-run` instead, whose feature set
# (dev-dependencies included) is the one the tests run with; it puts both binaries in place too.

STACK_CARGO_BUILD=(build -p mindy-pipeline -p mindy-api --bin mindy)
# The second phase; empty when the first builds everything.
STACK_CARGO_API_BUILD=(build -p mindy-pipeline -p mindy-api --bins)

cargo_build() { cd "$STACK_ROOT" && cargo "${STACK_CARGO_BUILD[@]}"; }
# The second phase at the lowest CPU priority, so it takes only what the demo's Spark jobs leave.
# `nice` alone does not do that: with the kernel's autogroups (sched_autogroup_enabled, Debian's
# default) a nice value weighs only against processes of the same session, and the services run
# in the supervisor's. So the build gets a session of its own, whose autogroup is niced to 19
# (sched(7), "The autogroup feature").
cargo_api_build() {
  cd "$STACK_ROOT" && setsid --wait bash -c \
    'echo 19 >/proc/self/autogroup 2>/dev/null || true; exec nice -n 19 cargo "$@"' cargo-api "${STACK_CARGO_API_BUILD[@]}"
}

build_start() {
  command -v cargo >/dev/null || die "cargo not found: Mini-Mindy needs Rust (rustup; rust-toolchain.toml pins the version)"
  [[ -n ${STACK_BUILT:-} || -n ${BG_PIDS[cargo]:-} ]] && return 0
  : >"$STACK_LOGS/cargo-build.log"
  bg_start cargo "$STACK_LOGS/cargo-build.log" cargo_build
}

# build_wait: waits for `mindy` (the first phase), then starts the second.
build_wait() {
  [[ -n ${STACK_BUILT:-} ]] && return 0
  build_start
  local start; start=$(now)
  bg_wait cargo "building mindy (cargo ${STACK_CARGO_BUILD[*]})" || build_failed cargo-build "${STACK_CARGO_BUILD[*]}"
  STACK_BUILT=1
  ok "mindy built ($(elapsed "$start") s waited; $(grep -c '^ *Compiling ' "$STACK_LOGS/cargo-build.log" || true) crates compiled)"
  if ((${#STACK_CARGO_API_BUILD[@]})); then
    : >"$STACK_LOGS/cargo-build-api.log"
    bg_start cargo-api "$STACK_LOGS/cargo-build-api.log" cargo_api_build
  fi
}

# build_wait_api: waits for both binaries.
build_wait_api() {
  build_wait
  [[ -n ${BG_PIDS[cargo-api]:-} ]] || return 0
  local start; start=$(now)
  bg_wait cargo-api "building mindy-api (cargo ${STACK_CARGO_API_BUILD[*]})" \
    || build_failed cargo-build-api "${STACK_CARGO_API_BUILD[*]}"
  ok "mindy-api built ($(elapsed "$start") s waited; $(grep -c '^ *Compiling ' "$STACK_LOGS/cargo-build-api.log" || true) more crates compiled)"
}

# build_failed LOG ARGS: shows the build's errors and fails.
build_failed() {
  grep -E '^(error|warning: unused)' -A5 "$STACK_LOGS/$1.log" | head -40 >&2
  die "cargo $2 failed; see $STACK_LOGS/$1.log"
}
