#!/usr/bin/env bash
# Builds the worker image `rushes-worker` (workers/Dockerfile) from the current checkout.
#   --local-base   build FROM rushes-base:bookworm, made here with debootstrap + docker import,
#                  for machines that reach Debian's mirror but no image registry (CI).
# IMAGE=name overrides the tag (default rushes-worker:latest).
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE="${IMAGE:-rushes-worker:latest}"
BASE="debian:bookworm-slim"
if [ "${1:-}" = "--local-base" ]; then
  BASE="rushes-base:bookworm"
  if ! docker image inspect "$BASE" >/dev/null 2>&1; then
    rootfs="$(mktemp -d)"
    debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >/dev/null
    tar -C "$rootfs" -c . | docker import - "$BASE" >/dev/null
    rm -rf "$rootfs"
  fi
fi
node scripts/build.mjs --quiet
context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT
cp workers/Dockerfile dist/rushes-fn.cjs "$context/"
mkdir "$context/schemas" && cp schemas/*.json "$context/schemas/"
docker build -q --build-arg "BASE=$BASE" -t "$IMAGE" "$context" >/dev/null
echo "$IMAGE"
