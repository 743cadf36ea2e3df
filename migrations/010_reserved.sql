-- paas store, schema 10: reserved. Branch wt-channel numbers its agent credentials 011 because
-- another branch adds schema 10 in parallel; when the two are merged, that branch's 010 replaces
-- this file. Migrations must be numbered without gaps (store/db.ts), hence this placeholder.
SELECT 1;
