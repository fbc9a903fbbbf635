# Supply-chain checks of the test command: cargo-deny over the Rust dependency graph (deny.toml:
# licences, bans, sources, RustSec advisories) and npm's audit of the frontend's dependencies.
#
# Two of them need a service on the internet: RustSec's advisory database is a git repository on
# GitHub, and npm's audit is an endpoint of registry.npmjs.org (`/-/npm/v1/security/advisories/bulk`).
# Where either cannot be reached (the machines this project is developed on reach the package
# registries only), that check says so and is skipped, unless MINDY_AUDIT_REQUIRED=1 (the forge
# workflow, .github/workflows/ci.yml, sets it), where being unreachable fails. Everything else
# (licences, bans, sources) runs offline, always, and fails on a finding.

CARGO_DENY_VERSION=0.20.2
CARGO_DENY="$STACK_CACHE/tools/cargo-deny-$CARGO_DENY_VERSION/bin/cargo-deny"

ensure_cargo_deny() {
  [[ -x $CARGO_DENY ]] && return 0
  log "installing cargo-deny $CARGO_DENY_VERSION into $STACK_CACHE/tools (once; a few minutes)"
  CARGO_TARGET_DIR="$STACK_CACHE/tools/target" cargo install -q --locked "cargo-deny@$CARGO_DENY_VERSION" \
    --root "$STACK_CACHE/tools/cargo-deny-$CARGO_DENY_VERSION" || die "cargo install cargo-deny failed"
  rm -rf "$STACK_CACHE/tools/target"
}

# audit_unreachable WHAT: a check whose service cannot be reached; fatal when required.
audit_unreachable() {
  if [[ ${MINDY_AUDIT_REQUIRED:-0} == 1 ]]; then
    warn "$1 could not be reached, and MINDY_AUDIT_REQUIRED=1"
    return 1
  fi
  warn "$1 could not be reached from this machine: that check is skipped (MINDY_AUDIT_REQUIRED=1 makes it fail)"
}

test_audit() (
  ensure_cargo_deny
  cd "$STACK_ROOT" || return 1
  "$CARGO_DENY" --log-level error check licenses bans sources || return 1
  local out
  if out=$("$CARGO_DENY" --log-level error check advisories 2>&1); then
    ok "cargo deny: no RustSec advisory against the dependencies"
  elif grep -qiE "failed to (fetch|clone|open)|unable to (fetch|clone)|could not (fetch|clone|resolve)|network|connect" <<<"$out"; then
    printf '%s\n' "$out" | tail -n 5 >&2
    audit_unreachable "RustSec's advisory database (github.com/rustsec/advisory-db)" || return 1
  else
    printf '%s\n' "$out" >&2
    return 1
  fi
  cd "$STACK_ROOT/frontend" || return 1
  if out=$(npm audit --omit=dev --audit-level=moderate 2>&1); then
    ok "npm audit: no advisory of moderate severity or above against the frontend's runtime dependencies"
  elif grep -q "audit endpoint returned an error" <<<"$out"; then
    printf '%s\n' "$out" | grep -i "warn audit" >&2
    audit_unreachable "npm's audit endpoint" || return 1
  else
    printf '%s\n' "$out" >&2
    return 1
  fi
)
