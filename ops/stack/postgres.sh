# shellcheck shell=bash
# PostgreSQL from Debian's packages: a private cluster under .stack/data/postgres on loopback, with
# the application database (schema by the project's sqlx migrations) and Airflow's metadata database.

pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [[ -x $d/pg_ctl ]] && { echo "$d"; return 0; }; done
  return 1
}

# PostgreSQL refuses to run as root; as root we run it as Debian's `postgres` user.
pg_user() { if [[ $EUID -eq 0 ]]; then echo postgres; else id -un; fi; }

pg_install() {
  PG_BIN=$(pg_bin) || die "PostgreSQL binaries not found (Debian: postgresql); ./stack installs it with the other packages"
}

# Admin access goes through the private Unix socket (trusted for the OS user that owns the cluster).
pg_psql() {
  runuser_if_root "$(pg_user)" "$PG_BIN/psql" -h "$STACK_RUN/pg-socket" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA "$@"
}

runuser_if_root() {
  local user=$1; shift
  if [[ $user == "$(id -un)" ]]; then "$@"; else runuser -u "$user" -- "$@"; fi
}

pg_ready() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; }

pg_up() {
  pg_install
  local dir="$STACK_DATA/postgres" user; user=$(pg_user)
  if is_running postgres; then ok "postgres already running"; return 0; fi
  require_free_port postgres "$PG_PORT"
  mkdir -p "$dir" "$STACK_RUN/pg-socket"
  chown "$user" "$dir" "$STACK_RUN/pg-socket"; chmod 700 "$dir"
  if [[ ! -f $dir/data/PG_VERSION ]]; then
    # Local connections trust the OS user; TCP needs a password (SCRAM).
    runuser_if_root "$user" "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth-local=trust \
      --auth-host=trust -E UTF8 --locale=C.UTF-8 >"$STACK_LOGS/postgres-initdb.log" 2>&1 \
      || die "initdb failed; see $STACK_LOGS/postgres-initdb.log"
  fi
  # As the cluster's owner: setpriv execs the server itself (runuser would fork and stay the
  # parent, so the supervisor would watch runuser, and a crashed server's restart would race
  # the old server's leftovers).
  local as_user=()
  [[ $user == "$(id -un)" ]] || as_user=(setpriv --reuid="$user" --regid="$user" --init-groups --)
  # SIGINT is PostgreSQL's fast shutdown (SIGTERM would wait for every client to disconnect).
  SUPERVISE_STOPSIGNAL=INT supervise postgres "$dir" "" "${as_user[@]}" "$PG_BIN/postgres" -D "$dir/data" \
    -c listen_addresses=127.0.0.1 -p "$PG_PORT" -k "$STACK_RUN/pg-socket" -c fsync=off -c max_connections=200 \
    -c log_min_messages=warning
  wait_until postgres 30 pg_ready
  pg_bootstrap
  ok "postgres ready on 127.0.0.1:$PG_PORT"
}

# Roles and databases; idempotent. Passwords are generated per state dir (see `secret`).
pg_bootstrap() {
  local app_pw airflow_pw reader_pw actor_pw
  app_pw=$(secret postgres-mindy); airflow_pw=$(secret postgres-airflow); reader_pw=$(secret postgres-reader)
  actor_pw=$(secret postgres-actor)
  pg_psql <<SQL >/dev/null
SELECT 'CREATE ROLE mindy LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mindy')\gexec
SELECT 'CREATE ROLE airflow LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'airflow')\gexec
SELECT 'CREATE ROLE mindy_reader LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mindy_reader')\gexec
SELECT 'CREATE ROLE mindy_actor LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mindy_actor')\gexec
ALTER ROLE mindy PASSWORD '$app_pw' CREATEDB;
ALTER ROLE airflow PASSWORD '$airflow_pw';
ALTER ROLE mindy_reader PASSWORD '$reader_pw';
ALTER ROLE mindy_actor PASSWORD '$actor_pw';
-- The owner may end the restricted roles' sessions (DROP DATABASE ... WITH (FORCE) of a test
-- database); their privileges are a subset of its own.
GRANT mindy_reader, mindy_actor TO mindy;
SELECT 'CREATE DATABASE mindy OWNER mindy' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'mindy')\gexec
SELECT 'CREATE DATABASE airflow OWNER airflow' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'airflow')\gexec
SQL
  # Switch TCP auth from the initdb default to passwords now that every role has one.
  local hba="$STACK_DATA/postgres/data/pg_hba.conf"
  if grep -qE '^host\s+all\s+all\s+127.0.0.1/32\s+trust' "$hba"; then
    sed -i -E 's/^(host\s+\S+\s+\S+\s+\S+\s+)trust/\1scram-sha-256/' "$hba"
    pg_psql -c 'SELECT pg_reload_conf()' >/dev/null
  fi
}

pg_down() { stop postgres; }
