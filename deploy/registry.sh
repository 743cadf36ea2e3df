#!/usr/bin/env bash
# The platform's image registry for the `swarm` runtime: Debian's docker-registry, so that
# every Swarm node pulls the releases' images (without it, a task placed on another node fails
# with "No such image"). Idempotent. Usage:
#
#   deploy/registry.sh DATA_DIR ADDRESS PORT
#
# DATA_DIR is the api's PAAS_DATA_DIR (the platform CA, made by the api's first start, is in
# DATA_DIR/tls); ADDRESS is where only the cluster reaches the registry (the manager's private
# address, never a public one); it is bound there alone. It writes DATA_DIR/registry/:
#   registry.crt, registry.key   TLS, signed by the platform CA, for ADDRESS
#   htpasswd, password           credentials (user `paas`; the api reads `password`)
#   config.yml                   docker-registry's configuration (images under data/)
# and trusts the CA for ADDRESS:PORT on this engine (/etc/docker/certs.d/ADDRESS:PORT/ca.crt);
# every other node needs the same file. Then run `docker-registry serve DATA_DIR/registry/config.yml`
# (deploy/systemd/paas-registry.service; `systemctl enable --now paas-registry paas-registry-gc.timer`:
# the timer frees the disk of images the api deleted) and give the api PAAS_REGISTRY=ADDRESS:PORT.
set -euo pipefail

data="${1:?usage: registry.sh DATA_DIR ADDRESS PORT}"
addr="${2:?usage: registry.sh DATA_DIR ADDRESS PORT}"
port="${3:?usage: registry.sh DATA_DIR ADDRESS PORT}"
certs_d="${PAAS_DOCKER_CERTS_D:-/etc/docker/certs.d}"
ca="$data/tls/ca.crt"
ca_key="$data/tls/ca.key"
dir="$data/registry"

for tool in docker-registry htpasswd openssl; do
  command -v "$tool" >/dev/null || { echo "registry.sh: $tool is missing (apt-get install docker-registry apache2-utils openssl)" >&2; exit 1; }
done
[ -f "$ca" ] && [ -f "$ca_key" ] || { echo "registry.sh: no platform CA in $data/tls (start the api once first)" >&2; exit 1; }

mkdir -p "$dir/data"
chmod 700 "$dir"

if [[ "$addr" =~ ^[0-9.]+$ ]]; then san="IP:$addr"; else san="DNS:$addr"; fi
if [ ! -f "$dir/registry.crt" ] || ! openssl x509 -in "$dir/registry.crt" -noout -ext subjectAltName 2>/dev/null | grep -q "${san/IP:/IP Address:}" \
  || ! openssl verify -CAfile "$ca" "$dir/registry.crt" >/dev/null 2>&1; then
  openssl req -new -newkey rsa:2048 -nodes -keyout "$dir/registry.key" -subj "/CN=paas-registry" \
    -out "$dir/registry.csr" 2>/dev/null
  openssl x509 -req -in "$dir/registry.csr" -CA "$ca" -CAkey "$ca_key" -CAcreateserial -days 825 -sha256 \
    -extfile <(printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$san") -out "$dir/registry.crt" 2>/dev/null
  rm -f "$dir/registry.csr"
  chmod 600 "$dir/registry.key"
fi

if [ ! -f "$dir/password" ]; then
  (umask 077; openssl rand -hex 24 >"$dir/password")
fi
htpasswd -Bbn paas "$(cat "$dir/password")" >"$dir/htpasswd" 2>/dev/null
chmod 600 "$dir/htpasswd"

cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: $addr:$port
  tls:
    certificate: $dir/registry.crt
    key: $dir/registry.key
auth:
  htpasswd:
    realm: paas
    path: $dir/htpasswd
EOF

mkdir -p "$certs_d/$addr:$port"
cp "$ca" "$certs_d/$addr:$port/ca.crt"
echo "$dir/config.yml"
