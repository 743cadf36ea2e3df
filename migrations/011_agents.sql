-- paas store, schema 11: each agent's own credential (`paas-admin agents:add NAME`). Only a
-- hash of the secret is kept; the credential is printed once. Removing the row revokes it:
-- the api refuses the agent's next connection and closes the one it has.
CREATE TABLE agent_credentials (
  agent_id    TEXT PRIMARY KEY,
  secret_hash TEXT NOT NULL,
  created_at  TEXT NOT NULL
);
