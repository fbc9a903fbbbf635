# shellcheck shell=bash
# kill_leftovers FILE STATE_DIR: kill what is left of the process groups listed in FILE (one
# pgid a line: the earlier starts of one supervised service), then empty FILE. Sourced by
# ./stack and by each service's launcher (.stack/run/bin/NAME), which runs it before the service
# starts again: a service killed hard (kill -9 of its main process) can leave children behind.
# A group is killed only while one of its processes names STATE_DIR in its command line or
# environment, so a pgid reused by an unrelated program is left alone.
kill_leftovers() {
  local file=$1 state=$2 pgid pid
  [[ -s $file ]] || return 0
  while read -r pgid; do
    [[ $pgid =~ ^[0-9]+$ ]] || continue
    for pid in $(pgrep -g "$pgid" 2>/dev/null); do
      # (The process may be gone by now: its /proc files then fail to open, quietly.)
      if tr '\0' '\n' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF "$state" \
        || tr '\0' '\n' 2>/dev/null <"/proc/$pid/environ" | grep -qF "$state"; then
        kill -KILL -- "-$pgid" 2>/dev/null || true
        break
      fi
    done
  done <"$file"
  : >"$file"
}
