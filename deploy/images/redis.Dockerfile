# paas/redis:7 — Redis 7 from Debian bookworm's packages, for heroku-redis add-ons.
# Data (append-only file) in /data, a password from $REDIS_PASSWORD.
FROM paas/debian:bookworm
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb \
 && mkdir -p /data && chown redis:redis /data
COPY redis-entrypoint.sh /usr/local/bin/paas-redis
VOLUME /data
EXPOSE 6379
LABEL paas.stack=redis
CMD ["paas-redis"]
