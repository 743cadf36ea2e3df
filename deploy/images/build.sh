#!/usr/bin/env bash
# Builds the local stack images that app Dockerfiles start FROM. No image registry is
# reachable, so they are made here:
#   paas/debian:bookworm  debootstrap --variant=minbase bookworm, imported into Docker
#   paas/node:20          paas/debian:bookworm + this host's Node.js and npm
#   paas/postgres:15      paas/debian:bookworm + Debian's postgresql-15 (heroku-postgresql add-ons)
#   paas/redis:7          paas/debian:bookworm + Debian's redis-server 7 (heroku-redis add-ons)
#   paas/python:3         paas/debian:bookworm + Debian's python3, python3-venv (Python builds)
#   paas/go:1.19          paas/debian:bookworm + Debian's golang-go (Go builds; no gcc, CGO off)
# paas/node:20 and the toolchain images carry the host's CA bundle (PAAS_CA_BUNDLE, default /etc/ssl/certs/ca-certificates.crt)
# with SSL_CERT_FILE and NODE_EXTRA_CA_CERTS pointing at it, so HTTPS behind an intercepting
# proxy works inside builds. An image is rebuilt only when its inputs change (label paas.inputs).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mirror="${PAAS_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
ca_bundle="${PAAS_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
cache="${PAAS_IMAGE_CACHE:-/var/cache/paas}"
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

current_inputs() { docker image inspect -f '{{ index .Config.Labels "paas.inputs" }}' "$1" 2>/dev/null || true; }

# --- paas/debian:bookworm --------------------------------------------------------------
debian_inputs="debootstrap-minbase-bookworm-v1"
if [ "$(current_inputs paas/debian:bookworm)" != "$debian_inputs" ]; then
  mkdir -p "$cache"
  tarball="$cache/bookworm-minbase.tar"
  if [ ! -s "$tarball" ]; then
    say "debootstrap bookworm (minbase) from $mirror"
    rootfs="$(mktemp -d)"
    debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$cache/debootstrap.log" 2>&1 \
      || { tail -20 "$cache/debootstrap.log" >&2; exit 1; }
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -cf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
    rm -rf "$rootfs"
  fi
  say "importing paas/debian:bookworm"
  docker import \
    --change "LABEL paas.inputs=$debian_inputs" \
    --change "LABEL paas.stack=debian" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' \
    "$tarball" paas/debian:bookworm >/dev/null
fi

# --- paas/node:20 ----------------------------------------------------------------------
node_bin="$(command -v node)"
npm_dir="$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)"
ca_sum="none"; [ -f "$ca_bundle" ] && ca_sum="$(sha256sum "$ca_bundle" | cut -c1-16)"
node_inputs="node-$("$node_bin" --version)-npm-$(npm --version 2>/dev/null)-ca-$ca_sum-$(sha256sum "$here/node.Dockerfile" | cut -c1-16)-base-$(docker image inspect -f '{{.Id}}' paas/debian:bookworm | cut -c8-23)"
if [ "$(current_inputs paas/node:20)" != "$node_inputs" ]; then
  say "building paas/node:20 ($("$node_bin" --version))"
  ctx="$(mktemp -d)"
  cp "$node_bin" "$ctx/node"
  cp -r "$npm_dir" "$ctx/npm"
  if [ -f "$ca_bundle" ]; then cp "$ca_bundle" "$ctx/ca-certificates.crt"; else : >"$ctx/ca-certificates.crt"; fi
  cp "$here/node.Dockerfile" "$ctx/Dockerfile"
  docker build -q --label "paas.inputs=$node_inputs" -t paas/node:20 "$ctx" >/dev/null
  rm -rf "$ctx"
fi
# --- paas/postgres:15, paas/redis:7 (add-on services) ------------------------------------
# Inputs: the Dockerfile, the entrypoint and the base image's id. Debian's package versions
# are not inputs: a host rebuilds them when the base image is re-imported (bump its inputs).
base_id="$(docker image inspect -f '{{.Id}}' paas/debian:bookworm | cut -c8-23)"
service_image() { # tag dockerfile entrypoint
  local tag="$1" dockerfile="$2" entry="$3" inputs
  inputs="$(cat "$here/$dockerfile" "$here/$entry" | sha256sum | cut -c1-16)-base-$base_id"
  if [ "$(current_inputs "$tag")" != "$inputs" ]; then
    say "building $tag from Debian's packages"
    local ctx; ctx="$(mktemp -d)"
    cp "$here/$dockerfile" "$ctx/Dockerfile"
    cp "$here/$entry" "$ctx/$entry"
    docker build -q --label "paas.inputs=$inputs" -t "$tag" "$ctx" >/dev/null
    rm -rf "$ctx"
  fi
}
service_image paas/postgres:15 postgres.Dockerfile postgres-entrypoint.sh &
pg_build=$!
service_image paas/redis:7 redis.Dockerfile redis-entrypoint.sh
wait "$pg_build"

# --- paas/python:3, paas/go:1.19 (builds without a Dockerfile) ---------------------------
# Debian's toolchains with the host's CA bundle. Inputs: the Dockerfile, the CA bundle and
# the base image's id.
toolchain_image() { # tag dockerfile
  local tag="$1" dockerfile="$2" inputs
  inputs="$(sha256sum "$here/$dockerfile" | cut -c1-16)-ca-$ca_sum-base-$base_id"
  if [ "$(current_inputs "$tag")" != "$inputs" ]; then
    say "building $tag from Debian's packages"
    local ctx; ctx="$(mktemp -d)"
    cp "$here/$dockerfile" "$ctx/Dockerfile"
    if [ -f "$ca_bundle" ]; then cp "$ca_bundle" "$ctx/ca-certificates.crt"; else : >"$ctx/ca-certificates.crt"; fi
    docker build -q --label "paas.inputs=$inputs" -t "$tag" "$ctx" >/dev/null
    rm -rf "$ctx"
  fi
}
toolchain_image paas/python:3 python.Dockerfile &
py_build=$!
toolchain_image paas/go:1.19 go.Dockerfile
wait "$py_build"
say "stack images: paas/debian:bookworm paas/node:20 paas/postgres:15 paas/redis:7 paas/python:3 paas/go:1.19"
