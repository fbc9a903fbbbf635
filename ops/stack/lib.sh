# shellcheck shell=bash
# Shared helpers for ./stack: logging and progress, background jobs with heartbeats, readiness
# polling, installs. Sourced by ./stack; every function here is side-effect free until called.

log()  { printf '\033[1;34m[stack]\033[0m %s\n' "$*" >&2; }
ok()   { printf '\033[1;32m[stack]\033[0m %s\n' "$*" >&2; }
warn() { printf '\033[1;33m[stack]\033[0m %s\n' "$*" >&2; }
die()  { printf '\033[1;31m[stack] error:\033[0m %s\n' "$*" >&2; exit 1; }
# A heartbeat: a long step saying it is still at work.
progress() { printf '\033[2m[stack]   … %s\033[0m\n' "$*" >&2; }

# Seconds since the epoch with decimals, for timing steps.
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# No step stays silent longer than this many seconds.
HEARTBEAT=${STACK_HEARTBEAT_SECS:-15}

logfile() { echo "$STACK_LOGS/$1.log"; }

# last_line FILE: FILE's last non-empty line, without colour codes and without the timestamp of a
# tracing or log4j line, cut to 100 characters.
last_line() {
  [[ -f $1 ]] || return 0
  tail -c 4000 "$1" | tr '\r' '\n' | sed -E 's/\x1b\[[0-9;]*[A-Za-z]//g' | grep -v '^[[:space:]]*$' \
    | tail -n 1 | sed -E 's/^[0-9]{2,4}[-/][0-9]{2}[-/][0-9]{2}[T ][0-9:.,]+Z? +//' | cut -c1-100 || true
}

# What a log says about the work so far: cargo's count of compiled crates, or the last line.
log_status() {
  local n
  n=$(grep -c '^ *Compiling ' "$1" 2>/dev/null || true)
  if ((n > 0)); then echo "$n crates compiled; $(last_line "$1" | sed 's/^ *//')"; else last_line "$1"; fi
}

# Background jobs: a long install or build started early, waited for when its result is needed.
declare -A BG_PIDS=() BG_LOGS=() BG_STARTS=()

# bg_start NAME LOG CMD...: run CMD in the background with its output appended to LOG.
bg_start() {
  local name=$1 logf=$2; shift 2
  [[ -n ${BG_PIDS[$name]:-} ]] && return 0
  "$@" >>"$logf" 2>&1 </dev/null &
  BG_PIDS[$name]=$!
  BG_LOGS[$name]=$logf
  BG_STARTS[$name]=$SECONDS
}

# bg_wait NAME LABEL: wait for job NAME, saying every HEARTBEAT seconds that LABEL goes on (with
# its log's last line); returns the job's exit status (0 when there is no such job).
bg_wait() {
  local name=$1 label=$2 pid status=0
  pid=${BG_PIDS[$name]:-}
  [[ -n $pid ]] || return 0
  local next=$((SECONDS + HEARTBEAT))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= next)); then
      progress "$label: $((SECONDS - BG_STARTS[$name])) s — $(log_status "${BG_LOGS[$name]}")"
      next=$((SECONDS + HEARTBEAT))
    fi
    sleep 1
  done
  wait "$pid" || status=$?
  unset "BG_PIDS[$name]"
  return "$status"
}

# run_logged LABEL LOG CMD...: run CMD with its output appended to LOG, with heartbeats.
run_logged() {
  local label=$1 logf=$2; shift 2
  local job="run-$RANDOM$RANDOM"
  bg_start "$job" "$logf" "$@"
  bg_wait "$job" "$label"
}

# bg_stop_all: on exit, stop background jobs still running (an interrupted up).
bg_stop_all() {
  local name
  for name in "${!BG_PIDS[@]}"; do kill "${BG_PIDS[$name]}" 2>/dev/null || true; done
}

# port_open PORT: true when something accepts TCP connections on 127.0.0.1:PORT.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# require_free_port NAME PORT: fail with a clear message when another program holds the port.
require_free_port() {
  if port_open "$2"; then
    local who; who=$(ss -ltnpH "sport = :$2" 2>/dev/null | sed -E 's/.*users:\(\("([^"]+)",pid=([0-9]+).*/\1 (pid \2)/' | head -1)
    die "$1: port $2 is already taken by ${who:-another process}; stop it or set the port's env var (see .env.example)"
  fi
}

# fail_start NAME WHY: show the end of NAME's log, stop it (so the supervisor does not keep
# retrying) and fail.
fail_start() {
  tail -n 30 "$(logfile "$1")" >&2 || true
  ctl stop "$1" >/dev/null 2>&1 || true
  die "$1 $2; see $(logfile "$1")"
}

# wait_until NAME TIMEOUT CMD...: poll CMD every 0.5 s until it succeeds. Fails when the service
# exits (or is restarted) meanwhile, or after TIMEOUT seconds; says every HEARTBEAT seconds
# what it waits for.
wait_until() {
  local name=$1 timeout=$2; shift 2
  local start=$SECONDS next=$((SECONDS + HEARTBEAT)) info state pid first_pid=""
  until "$@" >/dev/null 2>&1; do
    info=$(service_info "$name"); state=${info% *}; pid=${info#* }
    [[ -n $first_pid || $pid == 0 ]] || first_pid=$pid
    case $state in
      RUNNING|STARTING) [[ -z $first_pid || $pid == "$first_pid" ]] || fail_start "$name" "exited during start-up (restarted)" ;;
      *) fail_start "$name" "exited during start-up ($state)" ;;
    esac
    ((SECONDS - start < timeout)) || fail_start "$name" "not ready after ${timeout}s"
    if ((SECONDS >= next)); then
      progress "$name: waiting for it to be ready, $((SECONDS - start)) s — $(last_line "$(logfile "$name")")"
      next=$((SECONDS + HEARTBEAT))
    fi
    sleep 0.5
  done
}

# pom_property POM NAME: the value of <NAME> in POM's properties.
pom_property() { sed -n "s:.*<$2>\(.*\)</$2>.*:\1:p" "$1"; }

# pom_cache POM PREFIX: a cache directory for POM's jars, keyed by a hash of the pom (so editing
# it resolves them again).
pom_cache() { echo "$STACK_CACHE/$2-$(sha256sum "$1" | cut -c1-12)"; }

# fetch_jars WHAT POM DIR: copy POM's runtime dependencies from Maven Central into DIR, once
# (DIR/.complete marks a finished copy). Maven's local repository is in the download cache too, so
# the cache dir holds every download. Prints Maven's output, for a log.
fetch_jars() {
  local what=$1 pom=$2 dir=$3
  [[ -f $dir/.complete ]] && return 0
  command -v mvn >/dev/null || { echo "mvn not found (Debian: maven)"; return 1; }
  echo "resolving $what jars from Maven Central into $dir"
  mkdir -p "$dir"
  mvn -B -ntp -f "$pom" dependency:copy-dependencies -DincludeScope=runtime \
    -Dmaven.repo.local="$STACK_CACHE/m2" -DoutputDirectory="$dir" \
    || { echo "could not fetch $what jars (is Maven Central reachable?)"; return 1; }
  touch "$dir/.complete"
}

# ensure_apt PKG...: install the Debian packages that are missing, in one apt-get call.
ensure_apt() {
  local missing=() p start
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  ((${#missing[@]})) || return 0
  [[ $EUID -eq 0 ]] || die "missing Debian packages: ${missing[*]}; install them with: sudo apt-get install ${missing[*]}"
  start=$(now)
  log "installing Debian packages: ${missing[*]}"
  if [[ -z ${STACK_APT_UPDATED:-} ]]; then
    run_logged "apt-get update" "$STACK_LOGS/apt.log" apt-get update -q \
      || die "apt-get update failed; see $STACK_LOGS/apt.log"
    STACK_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive run_logged "apt-get install" "$STACK_LOGS/apt.log" \
    apt-get install -y -q --no-install-recommends "${missing[@]}" \
    || die "apt-get install ${missing[*]} failed; see $STACK_LOGS/apt.log"
  ok "Debian packages installed in $(elapsed "$start") s"
}

# ensure_java17: Spark 3.5 and Kafka run on Java 17; find it even when another JDK is the default.
ensure_java17() {
  local candidate
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/java-17-openjdk-arm64 /usr/lib/jvm/*17*; do
    if [[ -n $candidate && -x $candidate/bin/java ]] && "$candidate/bin/java" -version 2>&1 | grep -q 'version "17'; then
      export JAVA_HOME=$candidate
      return 0
    fi
  done
  ensure_apt openjdk-17-jre-headless
  export JAVA_HOME=/usr/lib/jvm/java-17-openjdk-$(dpkg --print-architecture)
  [[ -x $JAVA_HOME/bin/java ]] || die "Java 17 not found (Spark 3.5 needs it); set JAVA_HOME to a JDK 17"
}

# uv (Astral's installer, PyPI `uv`, pinned) installs the stack's venvs. pip spent 64 s of CPU
# on Airflow's 157 packages and 34 s on pyspark's venv on a fresh machine (2 Dec 2026), all of
# it beside the build of `mindy`; uv installs Airflow's in 3 s of CPU (it unpacks in Rust and
# leaves byte-compiling to the first import) and pyspark's in 30 s (building pyspark's sdist is
# most of it). uv itself comes from PyPI through pip, once, into a venv of its own.
UV_VERSION=0.13.9
UV_VENV="$STACK_CACHE/venvs/uv-$UV_VERSION"

# ensure_uv: uv in its venv (once; the venvs that install beside each other take turns here).
ensure_uv() {
  [[ -x $UV_VENV/bin/uv ]] && return 0
  mkdir -p "$STACK_CACHE/venvs"
  (
    flock 9
    [[ -x $UV_VENV/bin/uv ]] && exit 0
    python3 -m venv "$UV_VENV" || { echo "python3 -m venv failed (Debian: python3-venv)"; exit 1; }
    "$UV_VENV/bin/pip" install --progress-bar off "uv==$UV_VERSION" \
      || { echo "pip install uv==$UV_VERSION failed (is PyPI reachable?)"; exit 1; }
  ) 9>"$STACK_CACHE/venvs/.uv.lock"
}

# ensure_venv DIR REQUIREMENT...: a Python virtualenv in the download cache with the given
# packages, installed once by uv (DIR/.mindy-installed records what). Prints what it does, for
# a log. The venv has no pip of its own (nothing installs into it afterwards).
ensure_venv() {
  local dir=$1; shift
  local stamp="$dir/.mindy-installed" want="$*"
  if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then return 0; fi
  echo "creating Python venv $dir ($want)"
  ensure_uv || return 1
  python3 -m venv --without-pip "$dir" || { echo "python3 -m venv failed (Debian: python3-venv)"; return 1; }
  UV_CACHE_DIR="$STACK_CACHE/uv" "$UV_VENV/bin/uv" pip install --no-progress --python "$dir/bin/python" "$@" \
    || { echo "uv pip install $want failed (is PyPI reachable?)"; return 1; }
  echo "$want" >"$stamp"
}

# venv_ready DIR REQUIREMENT...: true when ensure_venv has nothing to do.
venv_ready() {
  local dir=$1; shift
  [[ -f $dir/.mindy-installed && $(cat "$dir/.mindy-installed") == "$*" ]]
}

# secret NAME: a random secret generated once per state dir (no default passwords anywhere).
secret() {
  local f="$STACK_STATE/secrets/$1"
  if [[ ! -s $f ]]; then
    mkdir -p "$STACK_STATE/secrets"; chmod 700 "$STACK_STATE/secrets"
    head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' >"$f"
    chmod 600 "$f"
  fi
  cat "$f"
}
