# shellcheck shell=bash
# Process supervision for the local stack: supervisord (PyPI `supervisor`, in its own venv in the
# download cache), one per state dir, reached through a Unix socket in .stack/run/.
#
# Every long-running service is a supervisord program: `supervise NAME DIR VARS CMD...` writes its
# launcher (.stack/run/bin/NAME: the working directory, exactly the environment it needs, the
# command) and its program section (.stack/run/programs/NAME.conf), then starts it. supervisord
# restarts a service that exits by itself at once, and while it keeps failing to start waits one
# second longer before each new try (up to STACK_START_RETRIES tries, about 1.5 h in all); a
# service stopped through ./stack stays stopped. `./stack status` counts the restarts from
# supervisord's log. `./stack down X && ./stack up X` restarts one service; `./stack supervisor
# CMD` passes CMD to supervisorctl (e.g. `./stack supervisor status`).

SUPERVISOR_VERSION=$(sed -n 's/^supervisor==//p' "$STACK_OPS/supervisor/requirements.txt")
SUPERVISOR_VENV="$STACK_CACHE/venvs/supervisor-$SUPERVISOR_VERSION"
SUPERVISOR_CONF="$STACK_RUN/supervisord.conf"
SUPERVISOR_SOCK="$STACK_RUN/supervisor.sock"
SUPERVISOR_LOG="$STACK_LOGS/supervisord.log"
# How often a service that exits within its start time is tried again before supervisord gives up.
STACK_START_RETRIES=${STACK_START_RETRIES:-100}

SUPERVISOR_REQUIREMENTS=$(grep -v '^#' "$STACK_OPS/supervisor/requirements.txt" | tr '\n' ' ')

supervisor_install() {
  # shellcheck disable=SC2086
  venv_ready "$SUPERVISOR_VENV" $SUPERVISOR_REQUIREMENTS && return 0
  # shellcheck disable=SC2086
  run_logged "installing supervisor $SUPERVISOR_VERSION (uv)" "$STACK_LOGS/venv-supervisor.log" \
    ensure_venv "$SUPERVISOR_VENV" $SUPERVISOR_REQUIREMENTS \
    || die "installing supervisor failed; see $STACK_LOGS/venv-supervisor.log"
}

ctl() { "$SUPERVISOR_VENV/bin/supervisorctl" -c "$SUPERVISOR_CONF" "$@"; }

# rpc METHOD [STRING|bool:0|bool:1]...: one call of supervisord's XML-RPC interface over its
# socket, with curl (a supervisorctl start would block for the start time; status polls in
# loops are cheaper this way). Prints the response document.
rpc() {
  local method=$1 params="" arg; shift
  for arg in "$@"; do
    case $arg in
      bool:*) params+="<param><value><boolean>${arg#bool:}</boolean></value></param>" ;;
      *) params+="<param><value><string>$arg</string></value></param>" ;;
    esac
  done
  curl -sS --max-time 10 --unix-socket "$SUPERVISOR_SOCK" -H 'Content-Type: text/xml' \
    --data-binary "<?xml version='1.0'?><methodCall><methodName>$method</methodName><params>$params</params></methodCall>" \
    http://localhost/RPC2 2>/dev/null
}

supervisor_running() {
  [[ -S $SUPERVISOR_SOCK ]] && rpc supervisor.getState | grep -q RUNNING
}

# service_info NAME: "STATE PID" from supervisord (STATE as supervisord names it: RUNNING,
# STARTING, BACKOFF, STOPPED, EXITED, FATAL; MISSING when NAME was never supervised).
service_info() {
  local doc state pid
  if ! [[ -S $SUPERVISOR_SOCK ]] || ! doc=$(rpc supervisor.getProcessInfo "$1") || [[ -z $doc ]]; then
    echo "STOPPED 0"; return
  fi
  doc=$(tr -d '\n' <<<"$doc")
  if [[ $doc == *"<fault>"* ]]; then echo "MISSING 0"; return; fi
  state=$(sed -E 's:.*<name>statename</name><value><string>([A-Z]+)</string>.*:\1:' <<<"$doc")
  pid=$(sed -E 's:.*<name>pid</name><value><int>([0-9]+)</int>.*:\1:' <<<"$doc")
  echo "$state ${pid:-0}"
}

supervisor_write_conf() {
  mkdir -p "$STACK_RUN/programs" "$STACK_RUN/bin"
  chmod 700 "$STACK_RUN/bin"
  cat >"$SUPERVISOR_CONF" <<CONF
; Written by ./stack: the local stack's supervisor. Programs are in programs/, one file each.
[unix_http_server]
file=$SUPERVISOR_SOCK
chmod=0700

[supervisord]
logfile=$SUPERVISOR_LOG
logfile_maxbytes=10MB
logfile_backups=2
pidfile=$STACK_RUN/supervisord.pid
childlogdir=$STACK_LOGS
identifier=mini-mindy:$STACK_STATE

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://$SUPERVISOR_SOCK

[include]
files = $STACK_RUN/programs/*.conf
CONF
}

# supervisor_up: start supervisord for this state dir unless it runs already.
supervisor_up() {
  supervisor_running && return 0
  supervisor_install
  supervisor_write_conf
  rm -f "$SUPERVISOR_SOCK"
  "$SUPERVISOR_VENV/bin/supervisord" -c "$SUPERVISOR_CONF" \
    || die "supervisord did not start; see $SUPERVISOR_LOG"
  local _
  for _ in $(seq 1 40); do supervisor_running && return 0; sleep 0.25; done
  die "supervisord did not answer on $SUPERVISOR_SOCK; see $SUPERVISOR_LOG"
}

# supervisor_down: stop every service, then supervisord itself.
supervisor_down() {
  supervisor_running || return 0
  ctl stop all >/dev/null 2>&1 || true
  ctl shutdown >/dev/null 2>&1 || true
  local _
  for _ in $(seq 1 60); do [[ -S $SUPERVISOR_SOCK ]] && sleep 0.5 || break; done
  log "stopped the supervisor"
}

# env_names PATTERN...: the exported variables whose names match one of the glob PATTERNs.
env_names() {
  local name pattern
  while read -r name; do
    for pattern in "$@"; do
      # shellcheck disable=SC2053
      if [[ $name == $pattern ]]; then echo "$name"; break; fi
    done
  done < <(compgen -e)
}

# supervise NAME DIR VARS CMD...: run CMD as the service NAME under the supervisor, in DIR, with
# only the basic environment (PATH, HOME, locale) plus the exported variables whose names match
# the space-separated glob patterns in VARS, as they are now. Returns once it is started; the
# caller waits for readiness.
supervise() {
  local name=$1 dir=$2 vars=$3; shift 3
  local launcher="$STACK_RUN/bin/$name" conf="$STACK_RUN/programs/$name.conf" v
  supervisor_up
  {
    echo '#!/usr/bin/env bash'
    echo "# Written by ./stack up: how the supervisor starts $name."
    printf 'cd %q || exit 1\n' "$dir"
    # supervisord makes each start its own process group (pgid = this pid). A service killed
    # hard can leave children behind in its group; the groups of earlier starts are recorded,
    # and what is left of them is killed before this start (and by `stop`).
    printf 'groups=%q\n' "$STACK_RUN/$name.pgids"
    printf 'source %q && kill_leftovers "$groups" %q\n' "$STACK_OPS/stack/leftovers.sh" "$STACK_STATE"
    printf 'echo $$ >>"$groups"\n'
    printf 'exec env -i'
    # shellcheck disable=SC2086
    for v in PATH HOME USER LOGNAME LANG LC_ALL TZ $(env_names $vars); do
      [[ -n ${!v+set} ]] && printf ' %q' "$v=${!v}"
    done
    printf ' %q' "$@"
    echo
  } >"$launcher"
  chmod 700 "$launcher"
  cat >"$conf" <<CONF
[program:$name]
command=$launcher
autostart=false
autorestart=true
startsecs=${SUPERVISE_STARTSECS:-3}
startretries=$STACK_START_RETRIES
stopsignal=${SUPERVISE_STOPSIGNAL:-TERM}
stopwaitsecs=30
stopasgroup=true
killasgroup=true
redirect_stderr=true
stdout_logfile=$(logfile "$name")
stdout_logfile_maxbytes=50MB
stdout_logfile_backups=2
CONF
  ctl update "$name" >/dev/null
  : >"$(logfile "$name")"
  rpc supervisor.startProcess "$name" bool:0 >/dev/null
}

service_state() { local info; info=$(service_info "$1"); echo "${info% *}"; }
service_pid() { local info; info=$(service_info "$1"); echo "${info#* }"; }

# is_running NAME: true when the service is up (or being started) under the supervisor.
is_running() {
  case $(service_state "$1") in RUNNING|STARTING) return 0 ;; *) return 1 ;; esac
}

# stop NAME: stop the service (SIGTERM to its process group, SIGKILL after 30 s); the supervisor
# does not restart it.
stop() {
  local name=$1
  stop_legacy "$name"
  case $(service_state "$name") in
    RUNNING|STARTING|BACKOFF) ;;
    *) return 0 ;;
  esac
  ctl stop "$name" >/dev/null 2>&1 || true
  kill_leftovers "$STACK_RUN/$name.pgids" "$STACK_STATE"
  log "stopped $name"
}

# stop_legacy NAME: stop a service started by an older ./stack (a pidfile, no supervisor).
stop_legacy() {
  local pf="$STACK_RUN/$1.pid" pid
  [[ -f $pf ]] || return 0
  pid=$(cat "$pf")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    local _
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    log "stopped $1 (pid $pid, started without the supervisor)"
  fi
  rm -f "$pf"
}

# restarts_of NAME: how often the supervisor restarted NAME after it exited by itself, since
# supervisord started (from its log: "exited: NAME (… not expected)").
restarts_of() {
  [[ -f $SUPERVISOR_LOG ]] || { echo 0; return; }
  awk -v n="$1" '
    /supervisord started with pid/ { count = 0 }
    index($0, "exited: " n " (") && /not expected/ { count++ }
    END { print count + 0 }' "$SUPERVISOR_LOG"
}

# tree_rss PID: resident memory of PID and all its descendants, in MiB.
tree_rss() {
  ps -e -o pid=,ppid=,rss= | awk -v root="$1" '
    { parent[$1] = $2; rss[$1] = $3 }
    END {
      for (p in rss) { q = p; while (q != "" && q != 0 && q != 1) { if (q == root) { t += rss[p]; break } q = parent[q] } }
      printf "%d", t / 1024
    }'
}
