-- The REST API's sessions and the campaign runner's bookkeeping.

-- Bearer tokens: only a SHA-256 of the token is stored, so a database dump cannot log anyone in.
CREATE TABLE sessions (
  token_hash  text PRIMARY KEY,   -- hex SHA-256
  user_id     bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  expires_at  timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- External do-not-call services may want a bearer token of their own.
ALTER TABLE dnc_services ADD COLUMN bearer_token text NOT NULL DEFAULT '';
ALTER TABLE dnc_services ALTER COLUMN url SET NOT NULL;
-- Bumped on every change so every hark process can tell its in-memory index is stale.
ALTER TABLE dnc_lists ADD COLUMN version bigint NOT NULL DEFAULT 0;

-- Free agents (or IVR channels) as the contact center last reported them.
ALTER TABLE campaigns ADD COLUMN free_agents int NOT NULL DEFAULT 0 CHECK (free_agents BETWEEN 0 AND 10000);
ALTER TABLE campaigns ADD COLUMN started_at timestamptz;
ALTER TABLE campaigns ADD COLUMN finished_at timestamptz;
ALTER TABLE campaigns ADD CONSTRAINT campaigns_one_dnc CHECK (dnc_service_id IS NULL OR dnc_list_id IS NULL);

-- A lead is `done` when it will not be dialed again (SUCCESS, DNC, or out of attempts).
ALTER TABLE leads ADD COLUMN done boolean NOT NULL DEFAULT false;
DROP INDEX leads_due;
CREATE INDEX leads_due ON leads (campaign_id, next_attempt_at NULLS FIRST, id) WHERE NOT in_progress AND NOT done;

-- Which hark process placed an attempt: a process that stops heart-beating is dead, and its
-- attempts still DIALING are closed as UNKNOWN by whoever notices.
CREATE TABLE runner_instances (
  id            text PRIMARY KEY,
  host          text NOT NULL,
  pid           int NOT NULL,
  started_at    timestamptz NOT NULL DEFAULT now(),
  heartbeat_at  timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE call_attempts ADD COLUMN instance_id text;
ALTER TABLE call_attempts ADD COLUMN amd_ms int;
ALTER TABLE call_attempts ADD COLUMN cause text;
CREATE INDEX call_attempts_lead ON call_attempts (lead_id);
CREATE INDEX audit_log_at ON audit_log (at);
