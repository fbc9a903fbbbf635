# shellcheck shell=bash
# The workspace's binaries (`mindy`, `mindy-api`), built by one cargo call so their dependencies
# are compiled once, with every feature either needs. `up` starts the build first, in the
# background, so it overlaps the downloads and the services' start; whoever needs a binary waits
# for it (with a heartbeat: crates compiled so far, the one compiling now). `./stack test` builds
# through `cargo test --no-run` instead, whose feature set (dev-dependencies included) is the one
# the tests run with; it puts both binaries in place too.

STACK_CARGO_BUILD=(build -p mindy-pipeline -p mindy-api --bins)

# The build runs at a higher priority (nice -5, root only) than the services starting beside it:
# on a fresh machine it is what `up` waits for (the services were ready 291 s before it ended, 2
# Dec 2026), while the services' starts, sharing the same two cores, took CPU from it. Measured
# with it, the same day: the fresh stack up 418 s (465 s before, 392 s in another run: within
# the runs' spread).
cargo_build() {
  local priority=()
  ((EUID == 0)) && priority=(nice -n -5)
  cd "$STACK_ROOT" && "${priority[@]}" cargo "${STACK_CARGO_BUILD[@]}"
}

build_start() {
  command -v cargo >/dev/null || die "cargo not found: Mini-Mindy needs Rust (rustup; rust-toolchain.toml pins the version)"
  [[ -n ${STACK_BUILT:-} || -n ${BG_PIDS[cargo]:-} ]] && return 0
  : >"$STACK_LOGS/cargo-build.log"
  bg_start cargo "$STACK_LOGS/cargo-build.log" cargo_build
}

build_wait() {
  [[ -n ${STACK_BUILT:-} ]] && return 0
  build_start
  local start; start=$(now)
  bg_wait cargo "building mindy and mindy-api (cargo ${STACK_CARGO_BUILD[*]})" || {
    grep -E '^(error|warning: unused)' -A5 "$STACK_LOGS/cargo-build.log" | head -40 >&2
    die "cargo ${STACK_CARGO_BUILD[*]} failed; see $STACK_LOGS/cargo-build.log"
  }
  STACK_BUILT=1
  ok "mindy and mindy-api built ($(elapsed "$start") s waited; $(grep -c '^ *Compiling ' "$STACK_LOGS/cargo-build.log" || true) crates compiled)"
}
