# paas/go:1.19 — Debian bookworm's Go toolchain (golang-go, without gcc: CGO off), the build
# stage of apps built without a Dockerfile. Their run stage is paas/debian:bookworm.
# The standard library is compiled once here, as the plans build (CGO_ENABLED=0, -trimpath),
# into GOCACHE, replacing Debian's cgo-built archives; the sources' tests are trimmed.
FROM paas/debian:bookworm
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    CGO_ENABLED=0 \
    GOTOOLCHAIN=local \
    GOCACHE=/root/.cache/go-build
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends golang-go >/dev/null \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb \
 && cd /usr/share/go-1.19 \
 && find src -depth -type d -name testdata -exec rm -rf {} + \
 && find src -name '*_test.go' -delete \
 && rm -rf test misc \
 && go build -trimpath std \
 && rm -rf /usr/lib/go-1.19/pkg/linux_amd64 \
 && go version
LABEL paas.stack=go
CMD ["go", "version"]
