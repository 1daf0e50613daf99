-- Audio prompts (voicemail messages) uploaded through the API (POST /api/v1/prompts), kept in
-- the prompts folder (HARK_PROMPTS_DIR) under a name the server chooses (file_name), owned by a
-- group like campaigns. Campaigns name a prompt by id; the client-chosen server path
-- campaigns.voicemail_message is gone (a campaign could make the runner read /dev/zero whole).
CREATE TABLE prompts (
  id           bigserial PRIMARY KEY,
  group_id     bigint NOT NULL REFERENCES dialer_groups(id),
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  size_bytes   bigint NOT NULL CHECK (size_bytes > 0),
  duration_ms  int NOT NULL CHECK (duration_ms > 0),
  file_name    text NOT NULL UNIQUE,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX prompts_group ON prompts (group_id);

-- A campaign the runner cannot serve (its prompt is missing or damaged) is PAUSED with the
-- reason in last_error, instead of failing every tick; starting it again clears the reason.
ALTER TABLE campaigns DROP CONSTRAINT campaigns_state_check;
ALTER TABLE campaigns ADD CONSTRAINT campaigns_state_check
  CHECK (state IN ('STOPPED', 'STARTED', 'PAUSED', 'FINISHED'));
ALTER TABLE campaigns ADD COLUMN last_error text;
-- No ON DELETE: a prompt in use cannot be deleted.
ALTER TABLE campaigns ADD COLUMN voicemail_prompt_id bigint REFERENCES prompts(id);
CREATE INDEX campaigns_voicemail_prompt ON campaigns (voicemail_prompt_id) WHERE voicemail_prompt_id IS NOT NULL;

-- Campaigns that played a file by path: say so, and pause the running ones (they would otherwise
-- start hanging up on machines without a word).
UPDATE schedules SET state = 'NOT_RUNNING'
  WHERE state IN ('RUNNING', 'DNC_OUT_OF_SERVICE')
    AND campaign_id IN (SELECT id FROM campaigns WHERE voicemail_message IS NOT NULL AND state = 'STARTED');
UPDATE campaigns SET
  last_error = 'its voicemail message was a server file path (' || left(voicemail_message, 200) ||
               '), which is no longer supported: upload the audio with POST /api/v1/prompts and set voicemailPromptId',
  state = CASE WHEN state = 'STARTED' THEN 'PAUSED' ELSE state END
  WHERE voicemail_message IS NOT NULL;
ALTER TABLE campaigns DROP COLUMN voicemail_message;
