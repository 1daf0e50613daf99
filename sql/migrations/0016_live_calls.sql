-- Calls as a resource across processes (issue 16): the calls that are up, written by the hark
-- process that owns each one, and the commands any process sends to that owner (the database is
-- the bus: a row here, then NOTIFY hark_call_commands with the owner's instance id; the owner
-- answers in the row, then NOTIFY hark_call_replies with the command id).

-- The new role: places calls (click-to-dial) and controls the calls it placed, nothing else.
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
  CHECK (role IN ('master','group_manager','campaign_admin','campaign_supervisor','agent'));

-- One row per call, keyed by its attempt (the call's public id). Inserted with the attempt
-- (DIALING), moved along by the owner's runner, 'ended' with the attempt's end, or by the
-- recovery when the owner stops heart-beating. Ended rows are swept after a day.
CREATE TABLE live_calls (
  id           bigint PRIMARY KEY REFERENCES call_attempts(id) ON DELETE CASCADE,
  campaign_id  bigint NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  lead_id      bigint,
  number       text NOT NULL,
  instance_id  text NOT NULL,  -- the owning process (runner_instances.id)
  state        text NOT NULL DEFAULT 'dialing' CHECK (state IN ('dialing','ringing','early_media','connected',
                 'on_hold','transferring','consulting','ended')),
  trunk        text,
  amd_verdict  text,
  placed_by    bigint REFERENCES users(id) ON DELETE SET NULL,  -- click-to-dial: who asked
  dialed_at    timestamptz NOT NULL DEFAULT now(),
  answered_at  timestamptz,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  ended_at     timestamptz
);
CREATE INDEX live_calls_up ON live_calls (campaign_id, state) WHERE state <> 'ended';
CREATE INDEX live_calls_instance ON live_calls (instance_id) WHERE state <> 'ended';
CREATE INDEX live_calls_ended ON live_calls (ended_at) WHERE state = 'ended';

-- A command for a call's owner. status NULL: not answered yet; else an HTTP-like outcome
-- (202 done, 409 not in that state / ended, 501 not in this build, 504 expired unexecuted).
CREATE TABLE call_commands (
  id           bigserial PRIMARY KEY,
  call_id      bigint NOT NULL,
  instance_id  text NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('hangup','transfer','hold','resume','consult','complete','cancel')),
  target       text,
  created_by   bigint REFERENCES users(id) ON DELETE SET NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  status       int,
  message      text,
  done_at      timestamptz
);
CREATE INDEX call_commands_pending ON call_commands (instance_id, id) WHERE status IS NULL;
