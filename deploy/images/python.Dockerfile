# paas/python:3 — Debian bookworm's Python 3 with venv, for apps built without a Dockerfile
# (build and run stages of the generated Python plan). No compiler: wheels only.
FROM paas/debian:bookworm
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 python3-venv >/dev/null \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb \
 && ln -s python3 /usr/bin/python && python3 --version
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
    REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
LABEL paas.stack=python
CMD ["python3"]
