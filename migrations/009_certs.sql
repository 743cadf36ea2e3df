-- paas store, schema 9: certificates for an app's custom domains (`paas certs:add`), served by
-- the router's TLS port by SNI. Heroku calls them SNI endpoints.
CREATE TABLE certs (
  id                TEXT PRIMARY KEY,
  app_id            TEXT NOT NULL REFERENCES apps (id),
  name              TEXT NOT NULL,
  certificate_chain TEXT NOT NULL,
  private_key       TEXT NOT NULL,
  -- JSON array: the names the certificate is for (its subjectAltName DNS names, else its CN).
  cert_domains      TEXT NOT NULL,
  subject           TEXT NOT NULL,
  issuer            TEXT NOT NULL,
  starts_at         TEXT NOT NULL,
  expires_at        TEXT NOT NULL,
  created_at        TEXT NOT NULL
);
CREATE UNIQUE INDEX certs_name ON certs (name);
CREATE INDEX certs_app ON certs (app_id);
