#!/usr/bin/env bash
# Prepares a Debian/Ubuntu host to run paas and its tests. Idempotent: each step checks
# first and does nothing when its work is already done, so it is cheap to run every time.
#   - pnpm (pinned by package.json "packageManager") and the workspace's dependencies
#   - the Docker engine (Debian's docker.io) and a running dockerd
#   - git, debootstrap, curl, tmux (the terminal tests of `paas run`), openssl (the platform CA)
#   - HAProxy (Debian's haproxy, 2.6 on bookworm): each agent runs its own as the router; the
#     package's system service is not used (the agent starts HAProxy with its own configuration)
#   - the local base images builds start FROM (no image registry is reachable)
#   - with --swarm (or PAAS_RUNTIME=swarm): the engine made a single-node Swarm manager, for the
#     `swarm` runtime (a no-op when it is in a swarm already; CI passes it: the test matrix)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# --- pnpm + dependencies -------------------------------------------------------------
pnpm_version="$(node -p "require('$root/package.json').packageManager.split('@')[1]")"
if ! command -v pnpm >/dev/null || [ "$(pnpm --version)" != "$pnpm_version" ]; then
  say "installing pnpm $pnpm_version"
  npm install -g --silent "pnpm@$pnpm_version" >/dev/null
fi
if [ ! -d "$root/node_modules/.pnpm" ] || [ "$root/pnpm-lock.yaml" -nt "$root/node_modules/.modules.yaml" ]; then
  say "installing dependencies"
  (cd "$root" && CI=true pnpm install --frozen-lockfile)
fi

# --- Docker engine ------------------------------------------------------------------
if ! command -v dockerd >/dev/null; then
  say "installing docker.io"
  apt_install docker.io
fi
if ! command -v haproxy >/dev/null; then
  say "installing haproxy"
  apt_install haproxy
fi
# tmux drives the terminal tests of `paas run`; openssl makes the platform CA.
for tool in git debootstrap curl tmux openssl; do
  command -v "$tool" >/dev/null || { say "installing $tool"; apt_install "$tool"; }
done
if ! docker info >/dev/null 2>&1; then
  say "starting dockerd"
  as_root mkdir -p /var/log
  as_root sh -c 'nohup dockerd >/var/log/dockerd.log 2>&1 &'
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { echo "dockerd did not start; see /var/log/dockerd.log" >&2; exit 1; }
fi

# --- Swarm (PAAS_RUNTIME=swarm) ------------------------------------------------------------
if [ "${1:-}" = "--swarm" ] || [ "${PAAS_RUNTIME:-agents}" = swarm ]; then
  # The platform's image registry (deploy/registry.sh sets it up) and htpasswd for its credentials.
  if ! command -v docker-registry >/dev/null || ! command -v htpasswd >/dev/null; then
    say "installing docker-registry"
    apt_install docker-registry apache2-utils
    # Its own system service is not used: deploy/systemd/paas-registry.service runs it.
    if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
      as_root systemctl disable --now docker-registry >/dev/null 2>&1 || true
    fi
  fi
  if [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" != active ]; then
    say "making this engine a single-node Swarm manager"
    # Advertised on loopback: a single node. A cluster advertises the host's private address
    # (docs/architecture.md, "The swarm runtime").
    docker swarm init --advertise-addr "${PAAS_SWARM_ADVERTISE_ADDR:-127.0.0.1}" >/dev/null
  fi
fi

# --- base images ---------------------------------------------------------------------
bash "$here/images/build.sh"
say "host ready"
