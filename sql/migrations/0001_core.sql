-- Core control-plane schema: users and groups, campaigns and their schedules, leads,
-- call attempts (the call log), do-not-call lists and services, audit log.

CREATE TABLE dialer_groups (
  id          bigserial PRIMARY KEY,
  name        text NOT NULL UNIQUE,
  description text NOT NULL DEFAULT '',
  enabled     boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id              bigserial PRIMARY KEY,
  username        text NOT NULL UNIQUE,
  password_hash   text NOT NULL,
  role            text NOT NULL CHECK (role IN ('master','group_manager','campaign_admin','campaign_supervisor')),
  enabled         boolean NOT NULL DEFAULT true,
  failed_logins   int NOT NULL DEFAULT 0,
  locked_until    timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE user_groups (
  user_id  bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  group_id bigint NOT NULL REFERENCES dialer_groups(id),
  PRIMARY KEY (user_id, group_id)
);

CREATE TABLE dnc_services (
  id          bigserial PRIMARY KEY,
  name        text NOT NULL UNIQUE,
  url         text,               -- NULL: the integrated service backed by dnc_numbers
  timeout_ms  int NOT NULL DEFAULT 2000 CHECK (timeout_ms BETWEEN 50 AND 60000)
);

CREATE TABLE dnc_lists (
  id          bigserial PRIMARY KEY,
  name        text NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE dnc_numbers (
  list_id  bigint NOT NULL REFERENCES dnc_lists(id) ON DELETE CASCADE,
  number   text NOT NULL,
  PRIMARY KEY (list_id, number)
);

CREATE TABLE campaigns (
  id                  bigserial PRIMARY KEY,
  name                text NOT NULL UNIQUE,
  description         text NOT NULL DEFAULT '',
  group_id            bigint NOT NULL REFERENCES dialer_groups(id),
  state               text NOT NULL DEFAULT 'STOPPED' CHECK (state IN ('STOPPED','STARTED','FINISHED')),
  start_date          date NOT NULL,
  end_date            date NOT NULL CHECK (end_date >= start_date),
  start_time          time NOT NULL,
  end_time            time NOT NULL CHECK (end_time > start_time),
  weekdays            int NOT NULL DEFAULT 62 CHECK (weekdays BETWEEN 1 AND 127), -- bit 0 = Sunday
  time_zone           text NOT NULL DEFAULT 'UTC',
  pilot_number        text NOT NULL,
  kind                text NOT NULL DEFAULT 'agent_queue' CHECK (kind IN ('agent_queue','ivr')),
  queue               text NOT NULL DEFAULT '',
  max_attempts        int NOT NULL DEFAULT 5 CHECK (max_attempts BETWEEN 1 AND 100),
  retry_minutes       int NOT NULL DEFAULT 60 CHECK (retry_minutes BETWEEN 1 AND 1440),
  retry_rules         jsonb NOT NULL DEFAULT '{}',
  amd_enabled         boolean NOT NULL DEFAULT true,
  amd_params          jsonb NOT NULL DEFAULT '{}',
  voicemail_message   text,
  dnc_service_id      bigint REFERENCES dnc_services(id),
  dnc_list_id         bigint REFERENCES dnc_lists(id),
  dial_prefix         text NOT NULL DEFAULT '',
  caller_id           text NOT NULL DEFAULT '',
  max_concurrent      int NOT NULL DEFAULT 30 CHECK (max_concurrent BETWEEN 1 AND 10000),
  fixed_channels      int CHECK (fixed_channels BETWEEN 1 AND 10000),
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE schedules (
  id           bigserial PRIMARY KEY,
  campaign_id  bigint NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  day          date NOT NULL,
  start_time   time NOT NULL,
  end_time     time NOT NULL,
  state        text NOT NULL DEFAULT 'NOT_RUNNING'
               CHECK (state IN ('NOT_RUNNING','RUNNING','FINISHED','DNC_OUT_OF_SERVICE')),
  UNIQUE (campaign_id, day)
);

CREATE TABLE leads (
  id              bigserial PRIMARY KEY,
  campaign_id     bigint NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  name            text NOT NULL DEFAULT '',
  phone           text NOT NULL,
  extra_phones    text[] NOT NULL DEFAULT '{}',
  description     text NOT NULL DEFAULT '',
  external_id     text,
  fields          jsonb NOT NULL DEFAULT '{}',
  status          text NOT NULL DEFAULT 'NOT_CALLED'
                  CHECK (status IN ('NOT_CALLED','SUCCESS','FAILURE','BUSY','NO_ANSWER','REJECTED','AMD',
                                    'SERVICE_TEMPORARILY_UNAVAILABLE','DNC','UNKNOWN')),
  attempts        int NOT NULL DEFAULT 0,
  last_attempt_at timestamptz,
  next_attempt_at timestamptz,
  in_progress     boolean NOT NULL DEFAULT false,
  UNIQUE (campaign_id, external_id)
);
CREATE INDEX leads_due ON leads (campaign_id, next_attempt_at) WHERE NOT in_progress;
CREATE INDEX leads_status ON leads (campaign_id, status);

CREATE TABLE call_attempts (
  id            bigserial PRIMARY KEY,
  campaign_id   bigint NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  lead_id       bigint NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
  number        text NOT NULL,
  state         text NOT NULL DEFAULT 'DIALING' CHECK (state IN ('DIALING','DONE')),
  dialed_at     timestamptz NOT NULL DEFAULT now(),
  answered_at   timestamptz,
  ended_at      timestamptz,
  sip_code      int,
  sip_reason    text,
  amd_verdict   text,
  amd_cause     text,
  result        text
);
CREATE INDEX call_attempts_campaign ON call_attempts (campaign_id, id);
CREATE INDEX call_attempts_open ON call_attempts (state) WHERE state = 'DIALING';

CREATE TABLE audit_log (
  id          bigserial PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  user_id     bigint REFERENCES users(id) ON DELETE SET NULL,
  action      text NOT NULL,
  object      text NOT NULL,
  detail      jsonb NOT NULL DEFAULT '{}'
);
