# syntax=docker/dockerfile:1
# The Rust binaries, `mindy` (pipeline jobs) and `mindy-api` (HTTP API on :8000), in one slim image.
#
#   docker build -f docker/rust.Dockerfile -t mini-mindy/rust .     # context = the repository root
#
# Builder and runtime are both Debian bookworm so the binaries' glibc matches; bookworm's glibc is also old
# enough for the Airflow image, which copies `mindy` out of this one (docker/airflow.Dockerfile).

# Matches rust-toolchain.toml, so rustup uses the image's toolchain instead of downloading another.
ARG RUST_VERSION=1.95.0
ARG DEBIAN_RELEASE=bookworm

FROM rust:${RUST_VERSION}-${DEBIAN_RELEASE} AS build
# protoc and its well-known-type includes (google/protobuf/any.proto, in libprotobuf-dev) for the
# Spark Connect protos (apache-spark-connect-proto's build.rs). librdkafka builds with its own
# configure script (rdkafka's default features), so no cmake.
RUN apt-get update \
 && apt-get install -y --no-install-recommends protobuf-compiler libprotobuf-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The registry and target dir live in BuildKit caches, so a rebuild after a code change is incremental.
# Binaries are copied out of the cached target dir, which the next stage cannot see.
RUN --mount=type=cache,id=mini-mindy-cargo-registry,target=/usr/local/cargo/registry \
    --mount=type=cache,id=mini-mindy-cargo-target,target=/src/target \
    SQLX_OFFLINE=true cargo build --release --locked -p mindy-pipeline -p mindy-api \
 && install -D -m 0755 -t /out target/release/mindy target/release/mindy-api

FROM debian:${DEBIAN_RELEASE}-slim AS runtime
# ca-certificates for TLS to outside APIs; curl for the compose healthcheck on /api/health.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*
# Group 0, like Spark (185:0) and Airflow (50000:0) in docker-compose.yml: the lake stays writable for all.
RUN useradd --uid 10001 --gid 0 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin mindy
COPY --from=build /out/ /usr/local/bin/
USER 10001:0
EXPOSE 8000
CMD ["mindy-api"]
