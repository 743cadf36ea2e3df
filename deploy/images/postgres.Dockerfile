# paas/postgres:15 — PostgreSQL 15 from Debian bookworm's packages, for heroku-postgresql add-ons.
# Runs as root only to own its volume, then as postgres. On an empty volume it makes the
# cluster: superuser $POSTGRES_USER with $POSTGRES_PASSWORD (scram-sha-256 over TCP), database
# $POSTGRES_DB. SIGINT is PostgreSQL's fast shutdown (SIGTERM would wait for every client).
FROM paas/debian:bookworm
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15 >/dev/null \
 && pg_dropcluster 15 main \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb
COPY postgres-entrypoint.sh /usr/local/bin/paas-postgres
ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PGDATA=/var/lib/postgresql/data/pgdata
VOLUME /var/lib/postgresql/data
EXPOSE 5432
STOPSIGNAL SIGINT
LABEL paas.stack=postgres
CMD ["paas-postgres"]
