-- Inbound callbacks (issue 16, part 3): an INVITE that is none of our calls is matched to
-- leads by caller ID and redirected (302) to the pilot number of the matching lead's campaign.

-- The call log: direction, and for an inbound call every matching lead of the campaign (an
-- outbound attempt has NULL here, which reads as its one lead_id).
ALTER TABLE call_attempts ADD COLUMN direction text NOT NULL DEFAULT 'outbound'
  CHECK (direction IN ('outbound', 'inbound'));
ALTER TABLE call_attempts ADD COLUMN lead_ids bigint[];

-- Every inbound call, matched or not (internal and unknown callers belong to no campaign).
CREATE TABLE inbound_calls (
  id           bigserial PRIMARY KEY,
  at           timestamptz NOT NULL DEFAULT now(),
  caller_raw   text NOT NULL,            -- the From user as it came
  caller       text,                     -- E.164 or an internal number's digits; NULL: not a number
  called       text NOT NULL DEFAULT '', -- the Request-URI user
  kind         text NOT NULL CHECK (kind IN ('lead', 'internal', 'unknown')),
  target       text,                     -- where it was redirected; NULL: 404
  trunk        text,
  campaign_id  bigint REFERENCES campaigns(id) ON DELETE SET NULL,  -- kind lead: the chosen campaign
  lead_ids     bigint[] NOT NULL DEFAULT '{}',
  instance_id  text
);
CREATE INDEX inbound_calls_at ON inbound_calls (at);

-- Caller look-ups: a lead's main number, and its other numbers.
CREATE INDEX leads_phone ON leads (phone);
CREATE INDEX leads_extra_phones ON leads USING gin (extra_phones);
