# syntax=docker/dockerfile:1
# Airflow 3.3 with the `mindy` binary that the DAGs run through BashOperator (path in MINDY_BIN).
#
# `mindy` comes from the Rust image through a named build context. docker-compose.yml passes it
# (`additional_contexts: mindy: service:backend`); by hand:
#   docker build -f docker/airflow.Dockerfile -t mini-mindy/airflow \
#     --build-context mindy=docker-image://mini-mindy/rust:latest .

ARG AIRFLOW_VERSION=3.3.2

FROM apache/airflow:${AIRFLOW_VERSION}
ARG AIRFLOW_VERSION
# The Rust image is built on bookworm, whose glibc is not newer than this image's.
COPY --from=mindy /usr/local/bin/mindy /usr/local/bin/mindy
# BashOperator lives in the standard provider in Airflow 3; postgres for the metadata DB; celery for
# the CeleryExecutor; fab for the auth manager docker-compose.yml selects. The image ships them already:
# naming them keeps them if the base image's set changes, and pinning apache-airflow stops pip from
# moving Airflow itself.
RUN pip install --no-cache-dir \
      "apache-airflow==${AIRFLOW_VERSION}" \
      apache-airflow-providers-standard \
      apache-airflow-providers-postgres \
      apache-airflow-providers-celery \
      apache-airflow-providers-fab
ENV MINDY_BIN=/usr/local/bin/mindy
