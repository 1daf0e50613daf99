-- Issue 18: dialing modes, agent states, preview leads and abandoned calls.

-- How a campaign paces its calls (control/campaign/dial_pacer.h).
ALTER TABLE campaigns ADD COLUMN dialing_mode text NOT NULL DEFAULT 'progressive'
  CHECK (dialing_mode IN ('progressive', 'power', 'predictive', 'preview'));
ALTER TABLE campaigns ADD COLUMN power_lines real NOT NULL DEFAULT 2 CHECK (power_lines >= 1 AND power_lines <= 10);
-- Abandoned / people answered, at most (TSR: 3 % over 30 days; Ofcom: 3 % per 24 h).
ALTER TABLE campaigns ADD COLUMN abandon_cap real NOT NULL DEFAULT 0.03 CHECK (abandon_cap >= 0 AND abandon_cap <= 0.1);
-- Ofcom: the AMD's false positives (QA labelled human, AMD said machine) count as abandoned.
ALTER TABLE campaigns ADD COLUMN count_amd_false_positives boolean NOT NULL DEFAULT false;
-- An agent is sure to be free (Ofcom's exception): an abandoned number may be called again
-- before 72 h.
ALTER TABLE campaigns ADD COLUMN guaranteed_agent boolean NOT NULL DEFAULT false;
-- The identification message an abandoned person hears (a prompt, like the voicemail one).
ALTER TABLE campaigns ADD COLUMN identification_prompt_id bigint REFERENCES prompts(id) ON DELETE SET NULL;

-- ABANDONED: a person answered and no agent was free within 2 s of the greeting's end.
ALTER TABLE leads DROP CONSTRAINT IF EXISTS leads_status_check;
ALTER TABLE leads ADD CONSTRAINT leads_status_check
  CHECK (status IN ('NOT_CALLED','SUCCESS','FAILURE','BUSY','NO_ANSWER','REJECTED','AMD',
                    'SERVICE_TEMPORARILY_UNAVAILABLE','DNC','UNKNOWN','ABANDONED'));

-- Each agent's state as the contact center reports it (PUT .../agents/{agentId}). A call hark
-- transferred to an agent holds it (held_attempt) until the contact center reports it again.
CREATE TABLE campaign_agents (
  campaign_id   bigint NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  agent_id      text NOT NULL CHECK (length(agent_id) BETWEEN 1 AND 100),
  state         text NOT NULL CHECK (state IN ('ready', 'talking', 'wrapup', 'paused', 'offline')),
  extension     text,          -- where hark transfers this agent's calls (else the pilot number)
  held_attempt  bigint,        -- the call hark gave this agent since its last report
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (campaign_id, agent_id)
);

-- Preview: a lead shown to an agent is reserved for it until preview_until; accepted, it is
-- dialed with the agent as the transfer target.
ALTER TABLE leads ADD COLUMN preview_agent text;
ALTER TABLE leads ADD COLUMN preview_until timestamptz;
ALTER TABLE leads ADD COLUMN preview_accepted boolean NOT NULL DEFAULT false;

-- The abandon rates read attempts by campaign and time.
CREATE INDEX call_attempts_campaign_dialed ON call_attempts (campaign_id, dialed_at);
