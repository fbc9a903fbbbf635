# shellcheck shell=bash
# Shared helpers for ./stack: logging, process supervision, readiness polling, installs.
# Sourced by ./stack; every function here is side-effect free until called.

log()  { printf '\033[1;34m[stack]\033[0m %s\n' "$*" >&2; }
ok()   { printf '\033[1;32m[stack]\033[0m %s\n' "$*" >&2; }
warn() { printf '\033[1;33m[stack]\033[0m %s\n' "$*" >&2; }
die()  { printf '\033[1;31m[stack] error:\033[0m %s\n' "$*" >&2; exit 1; }

# Seconds since the epoch with decimals, for timing `up`.
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

pidfile() { echo "$STACK_RUN/$1.pid"; }
logfile() { echo "$STACK_LOGS/$1.log"; }

# is_running NAME: true when NAME's recorded process (group leader) is alive.
is_running() {
  local pf; pf=$(pidfile "$1")
  [[ -f $pf ]] && kill -0 "$(cat "$pf")" 2>/dev/null
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

# spawn NAME CMD...: start CMD in its own session (so `down` can stop the whole group),
# logging to .stack/logs/NAME.log and recording the pid in .stack/run/NAME.pid.
spawn() {
  local name=$1; shift
  local log; log=$(logfile "$name")
  : >"$log"
  setsid "$@" >>"$log" 2>&1 < /dev/null &
  echo $! >"$(pidfile "$name")"
}

# spawn_as USER NAME CMD...: like spawn, as another user (PostgreSQL refuses to run as root).
spawn_as() {
  local user=$1 name=$2; shift 2
  if [[ $user == "$(id -un)" ]]; then spawn "$name" "$@"; else spawn "$name" runuser -u "$user" -- "$@"; fi
}

# stop NAME: SIGTERM the process group, wait up to 30 s, then SIGKILL what is left.
stop() {
  local name=$1 pf pid
  pf=$(pidfile "$name")
  [[ -f $pf ]] || return 0
  pid=$(cat "$pf")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then
      warn "$name did not stop in 30 s; killing"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
    log "stopped $name (pid $pid)"
  fi
  rm -f "$pf"
}

# wait_until NAME TIMEOUT CMD...: poll CMD every 0.5 s; on timeout, fail naming the log.
wait_until() {
  local name=$1 timeout=$2; shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if ! is_running "$name"; then
      tail -n 30 "$(logfile "$name")" >&2 || true
      die "$name exited during start-up; see $(logfile "$name")"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 30 "$(logfile "$name")" >&2 || true
      die "$name not ready after ${timeout}s; see $(logfile "$name")"
    fi
    sleep 0.5
  done
}

# rss_of PID: resident memory of a service's whole process session, in MiB.
# Every service runs in its own session (see spawn), so its session id is its pid.
rss_of() {
  ps -e -o sess=,rss= | awk -v s="$1" '$1 == s { t += $2 } END { printf "%d", t / 1024 }'
}

# ensure_apt PKG...: install the Debian packages that are missing (one apt-get update per run).
# pom_property POM NAME: the value of <NAME> in POM's properties.
pom_property() { sed -n "s:.*<$2>\(.*\)</$2>.*:\1:p" "$1"; }

# pom_cache POM PREFIX: a cache directory for POM's jars, keyed by a hash of the pom (so editing
# it resolves them again).
pom_cache() { echo "$STACK_CACHE/$2-$(sha256sum "$1" | cut -c1-12)"; }

# fetch_jars WHAT POM DIR LOGNAME: copy POM's runtime dependencies from Maven Central into DIR,
# once (DIR/.complete marks a finished copy).
fetch_jars() {
  local what=$1 pom=$2 dir=$3 logname=$4
  [[ -f $dir/.complete ]] && return 0
  command -v mvn >/dev/null || ensure_apt maven
  log "resolving $what jars from Maven Central into $dir"
  mkdir -p "$dir"
  mvn -q -B -f "$pom" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$dir" >"$STACK_LOGS/$logname.log" 2>&1 \
    || die "could not fetch $what jars (is Maven Central reachable?); see $STACK_LOGS/$logname.log"
  touch "$dir/.complete"
}

ensure_apt() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  ((${#missing[@]})) || return 0
  [[ $EUID -eq 0 ]] || die "missing Debian packages: ${missing[*]}; install them with: sudo apt-get install ${missing[*]}"
  log "installing Debian packages: ${missing[*]}"
  if [[ -z ${STACK_APT_UPDATED:-} ]]; then
    apt-get update -qq >"$STACK_LOGS/apt.log" 2>&1 || die "apt-get update failed; see $STACK_LOGS/apt.log"
    STACK_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    >>"$STACK_LOGS/apt.log" 2>&1 || die "apt-get install ${missing[*]} failed; see $STACK_LOGS/apt.log"
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

# ensure_venv DIR REQUIREMENT...: a Python virtualenv in the download cache with the given packages.
ensure_venv() {
  local dir=$1; shift
  local stamp="$dir/.mindy-installed" want="$*"
  if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then return 0; fi
  log "creating Python venv $dir ($want)"
  python3 -m venv "$dir" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
  "$dir/bin/pip" install -q --upgrade pip >>"$STACK_LOGS/pip.log" 2>&1 || true
  "$dir/bin/pip" install -q "$@" >>"$STACK_LOGS/pip.log" 2>&1 \
    || die "pip install $want failed (is PyPI reachable?); see $STACK_LOGS/pip.log"
  echo "$want" >"$stamp"
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
