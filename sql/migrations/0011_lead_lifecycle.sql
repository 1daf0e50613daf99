-- Lead lifecycle: every number of a contact, recycling rounds, scheduled callbacks, disabled
-- leads, and a claim order where overdue retries come before never-called leads.

-- Dial a lead's numbers in order (phone, then extra_phones): the next one after a failure
-- result (busy, no answer, failure, unavailable).
ALTER TABLE campaigns ADD COLUMN dial_every_number boolean NOT NULL DEFAULT false;

-- Which of the lead's numbers the next attempt dials: 0 is phone, k is extra_phones[k].
ALTER TABLE leads ADD COLUMN phone_index int NOT NULL DEFAULT 0 CHECK (phone_index >= 0);
-- The dialing round: 1 on import, +1 on each recycle (same campaign) or copy (new campaign).
ALTER TABLE leads ADD COLUMN round int NOT NULL DEFAULT 1 CHECK (round >= 1);
-- A copy made by recycling into a new campaign: the lead it was copied from, and the first
-- lead of its chain (the contact). No foreign key: the origin campaign may be deleted later.
ALTER TABLE leads ADD COLUMN origin_lead_id bigint;
ALTER TABLE leads ADD COLUMN root_lead_id bigint;
-- One contact, one row per campaign: recycling a recycled campaign never duplicates a lead.
CREATE UNIQUE INDEX leads_one_per_contact ON leads (campaign_id, root_lead_id) WHERE root_lead_id IS NOT NULL;
-- A disabled lead is never dialed (DELETE .../leads/{id}?disable=true keeps its history).
ALTER TABLE leads ADD COLUMN disabled boolean NOT NULL DEFAULT false;
-- A scheduled callback: due at callback_at (also in next_attempt_at), ahead of other due leads.
ALTER TABLE leads ADD COLUMN callback_at timestamptz;
ALTER TABLE leads ADD COLUMN callback_agent text;
CREATE INDEX leads_callbacks ON leads (campaign_id, callback_at) WHERE callback_at IS NOT NULL AND NOT done;

-- The round an attempt belongs to (the call log shows it).
ALTER TABLE call_attempts ADD COLUMN round int NOT NULL DEFAULT 1;
