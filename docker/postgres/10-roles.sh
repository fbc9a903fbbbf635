#!/usr/bin/env bash
# Runs once, when the postgres image initialises an empty data volume (/docker-entrypoint-initdb.d).
# Creates the two login roles the programs use, each owning its database, with passwords read from the
# Docker secrets mounted at /run/secrets (never from the environment or this file). The same roles and
# databases as ./stack makes locally (ops/stack/postgres.sh).
set -euo pipefail

mindy_pw=$(cat /run/secrets/mindy_db_password)
airflow_pw=$(cat /run/secrets/airflow_db_password)

# psql's :'var' quotes the value as a literal, so any character is safe in a password.
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v mindy_pw="$mindy_pw" -v airflow_pw="$airflow_pw" <<'SQL'
CREATE ROLE mindy LOGIN CREATEDB PASSWORD :'mindy_pw';
CREATE ROLE airflow LOGIN PASSWORD :'airflow_pw';
CREATE DATABASE mindy OWNER mindy;
CREATE DATABASE airflow OWNER airflow;
SQL
