# paas/go:1.19 — Debian bookworm's Go toolchain (golang-go, without gcc: CGO off), the build
# stage of apps built without a Dockerfile (tests and testdata trimmed). Their run stage is
# paas/debian:bookworm.
FROM paas/debian:bookworm
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends golang-go >/dev/null \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb \
 && cd /usr/share/go-1.19 \
 && find src -depth -type d -name testdata -exec rm -rf {} + \
 && find src -name '*_test.go' -delete \
 && rm -rf test misc \
 && go version
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    CGO_ENABLED=0 \
    GOTOOLCHAIN=local
LABEL paas.stack=go
CMD ["go", "version"]
