# paas/node:20 — the Node.js stack image, assembled from the host's Node.js and npm.
FROM paas/debian:bookworm
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && node --version && npm --version
# The user apps run as when their Dockerfile names none (the agent runs them as uid 1000):
# a name and a home for it. Builds still run as root (no USER here), so RUN apt-get works.
RUN useradd --uid 1000 --user-group --create-home --shell /bin/bash app
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
LABEL paas.stack=node
CMD ["node"]
