#!/usr/bin/env bash
# Runs once, when the postgres image initialises an empty data volume (/docker-entrypoint-initdb.d).
# Creates the login roles the programs use — mindy and airflow, each owning its database, and mindy's
# two restricted roles (mindy_reader for the chat's SQL, mindy_actor for confirmed actions; the
# pipeline's migrations grant them their tables) — with passwords read from the
# Docker secrets mounted at /run/secrets (never from the environment or this file). The same roles and
# databases as ./stack makes locally (ops/stack/postgres.sh).
set -euo pipefail

mindy_pw=$(cat /run/secrets/mindy_db_password)
airflow_pw=$(cat /run/secrets/airflow_db_password)
reader_pw=$(cat /run/secrets/mindy_reader_db_password)
actor_pw=$(cat /run/secrets/mindy_actor_db_password)

# psql's :'var' quotes the value as a literal, so any character is safe in a password.
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v mindy_pw="$mindy_pw" -v airflow_pw="$airflow_pw" -v reader_pw="$reader_pw" -v actor_pw="$actor_pw" <<'SQL'
CREATE ROLE mindy LOGIN CREATEDB PASSWORD :'mindy_pw';
CREATE ROLE airflow LOGIN PASSWORD :'airflow_pw';
CREATE ROLE mindy_reader LOGIN PASSWORD :'reader_pw';
CREATE ROLE mindy_actor LOGIN PASSWORD :'actor_pw';
-- The owner may end the restricted roles' sessions; their privileges are a subset of its own.
GRANT mindy_reader, mindy_actor TO mindy;
CREATE DATABASE mindy OWNER mindy;
CREATE DATABASE airflow OWNER airflow;
SQL
