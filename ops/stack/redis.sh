# shellcheck shell=bash
# Redis from Debian's packages, on loopback, without persistence (it only holds caches and
# conversation history, which the API rebuilds).

redis_up() {
  command -v redis-server >/dev/null || die "redis-server not found (Debian: redis-server); ./stack installs it with the other packages"
  if is_running redis; then ok "redis already running"; return 0; fi
  require_free_port redis "$REDIS_PORT"
  mkdir -p "$STACK_DATA/redis"
  supervise redis "$STACK_DATA/redis" "" redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir "$STACK_DATA/redis" --daemonize no --maxmemory 256mb --maxmemory-policy allkeys-lru
  wait_until redis 20 redis-cli -p "$REDIS_PORT" ping
  ok "redis ready on 127.0.0.1:$REDIS_PORT"
}

redis_down() { stop redis; }
