# shellcheck shell=bash
# Every Debian package the build, the stack and the tests use, by purpose: `./stack up` and
# `./stack demo` install what is missing of BUILD and STACK, `./stack test` of TEST too, in one
# apt-get call. On a fresh machine of this project's kind (Debian 12 with Rust, Java 17, Python
# 3.11, Maven and Node.js 20) only protobuf-compiler, libprotobuf-dev, redis-server and prometheus
# (plus chromium, chromium-driver and postgresql-client for the tests) are missing; the README
# lists what each command installs and where.

# Building the Rust workspace: a C toolchain for librdkafka (configure + make) and ring;
# protoc and its well-known-type includes (google/protobuf/*.proto) for the Spark Connect
# protos; zlib for librdkafka.
STACK_DEBIAN_BUILD=(build-essential pkg-config perl zlib1g-dev protobuf-compiler libprotobuf-dev)

# Running the stack: Java 17 (Kafka, Spark), Maven (Kafka's and Spark 4's jars), PostgreSQL 15,
# Redis, Prometheus (and its promtool), python3-venv (the pyspark, Airflow and supervisor venvs),
# curl/procps/iproute2 (readiness checks, status, port owners).
STACK_DEBIAN_STACK=(openjdk-17-jre-headless maven postgresql redis-server prometheus python3-venv
  curl ca-certificates procps iproute2)

# The tests: Chromium and its driver (the frontend's end-to-end tests), psql and git.
STACK_DEBIAN_TEST=(chromium chromium-driver postgresql-client git)

# ensure_packages [test]: install what is missing of the build and stack packages (and the test
# packages with `test`), and check Node.js.
ensure_packages() {
  local wanted=("${STACK_DEBIAN_BUILD[@]}" "${STACK_DEBIAN_STACK[@]}")
  [[ ${1:-} == test ]] && wanted+=("${STACK_DEBIAN_TEST[@]}")
  ensure_apt "${wanted[@]}"
  ensure_node
}

# ensure_node: Node.js 20 or later with npm, for the frontend. Debian 12's own nodejs is 18, too
# old for the frontend, so a missing or old Node.js is an error with a hint, not an install.
ensure_node() {
  command -v node >/dev/null && command -v npm >/dev/null \
    || die "Node.js 20 and npm are needed for the frontend (e.g. NodeSource's nodejs 20 package)"
  local major; major=$(node -p 'process.versions.node.split(".")[0]')
  ((major >= 20)) || die "Node.js $major is too old for the frontend: install Node.js 20 or later"
}
