-- Recycling speed (issue 20), the copy into a new campaign: its dialing rows are made later.
--
-- Since 0022 a lead is a contact row (lead_contacts) and a dialing row (lead_dialing), and a
-- statement trigger added the dialing row of every new contact. For a recycle's copies into a
-- new campaign that row was a third of the work (bench/recycle_bench, 1,000,000 copies: ~3 s of
-- CPU for the heap row, its two index entries and the trigger's pass over the new contacts).
--
-- A copy's dialing row would only say "never called, round first_round": exactly what a missing
-- row now means while the campaign's dialing_rows_pending is set. The copy sets it (the target
-- campaign is new, STOPPED, in the same transaction), and the trigger adds no dialing rows for
-- such a campaign's contacts (a later import into it neither). The rows are made:
--  * all at once when the campaign starts (lead_dialing_make_pending, the start route), before
--    the runner can claim any: the claims, releases and finishes read and write lead_dialing
--    only, and never see a campaign with missing rows;
--  * one at a time when a single-lead change of a stopped campaign needs it (disable, callback,
--    click-to-dial: lead_dialing_ensure), and through the view `leads` (its INSTEAD OF triggers
--    insert the row when they have a dialing column to write and there is none).
-- Everything that reads counts or leads of a campaign counts a missing row as NOT_CALLED in its
-- contact's first_round: the view `leads` (a LEFT JOIN below) and the summary's counts
-- (sql/statements_leads.cpp), which look for missing rows only while the flag is set.

ALTER TABLE campaigns ADD COLUMN dialing_rows_pending boolean NOT NULL DEFAULT false;

-- New contacts get their dialing rows, in the rows' order, unless their campaign's are pending.
CREATE OR REPLACE FUNCTION lead_contacts_add_dialing() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO lead_dialing (lead_id, campaign_id, round) SELECT id, campaign_id, first_round FROM new_leads
  WHERE campaign_id NOT IN (SELECT id FROM campaigns WHERE dialing_rows_pending);
  RETURN NULL;
END $$;

-- A lead as one row; a missing dialing row reads as a new lead in its contact's first round
-- (the defaults of lead_dialing's columns).
CREATE OR REPLACE VIEW leads AS
SELECT c.id, c.campaign_id, c.name, c.phone, c.extra_phones, c.description, c.external_id, c.fields,
       COALESCE(d.status, 'NOT_CALLED') AS status, COALESCE(d.attempts, 0) AS attempts, d.last_attempt_at,
       d.next_attempt_at, COALESCE(d.in_progress, false) AS in_progress, COALESCE(d.done, false) AS done, c.phone_raw,
       COALESCE(d.phone_index, 0) AS phone_index, COALESCE(d.round, c.first_round) AS round, c.origin_lead_id,
       c.root_lead_id, COALESCE(d.disabled, false) AS disabled, d.callback_at, d.callback_agent, d.preview_agent,
       d.preview_until, COALESCE(d.preview_accepted, false) AS preview_accepted, c.time_zones
FROM lead_contacts c LEFT JOIN lead_dialing d ON d.lead_id = c.id;

-- Writes a lead's dialing columns: an update of its row, or the row when it has none yet.
CREATE FUNCTION lead_dialing_write(l leads) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  UPDATE lead_dialing SET last_attempt_at = l.last_attempt_at, next_attempt_at = l.next_attempt_at,
    callback_at = l.callback_at, preview_until = l.preview_until, attempts = l.attempts,
    phone_index = l.phone_index, round = l.round, in_progress = l.in_progress, done = l.done,
    disabled = l.disabled, preview_accepted = l.preview_accepted, status = l.status,
    callback_agent = l.callback_agent, preview_agent = l.preview_agent
  WHERE lead_id = l.id;
  IF NOT FOUND THEN
    INSERT INTO lead_dialing (lead_id, campaign_id, last_attempt_at, next_attempt_at, callback_at, preview_until, attempts,
                              phone_index, round, in_progress, done, disabled, preview_accepted, status, callback_agent,
                              preview_agent)
    VALUES (l.id, l.campaign_id, l.last_attempt_at, l.next_attempt_at, l.callback_at, l.preview_until, l.attempts,
            l.phone_index, l.round, l.in_progress, l.done, l.disabled, l.preview_accepted, l.status, l.callback_agent,
            l.preview_agent)
    ON CONFLICT (lead_id) DO UPDATE SET last_attempt_at = EXCLUDED.last_attempt_at,
      next_attempt_at = EXCLUDED.next_attempt_at, callback_at = EXCLUDED.callback_at,
      preview_until = EXCLUDED.preview_until, attempts = EXCLUDED.attempts, phone_index = EXCLUDED.phone_index,
      round = EXCLUDED.round, in_progress = EXCLUDED.in_progress, done = EXCLUDED.done, disabled = EXCLUDED.disabled,
      preview_accepted = EXCLUDED.preview_accepted, status = EXCLUDED.status,
      callback_agent = EXCLUDED.callback_agent, preview_agent = EXCLUDED.preview_agent;
  END IF;
END $$;

CREATE OR REPLACE FUNCTION leads_view_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO lead_contacts (id, campaign_id, name, phone, extra_phones, description, external_id, fields, phone_raw,
                             origin_lead_id, root_lead_id, time_zones, first_round)
  VALUES (NEW.id, NEW.campaign_id, NEW.name, NEW.phone, NEW.extra_phones, NEW.description, NEW.external_id, NEW.fields,
          NEW.phone_raw, NEW.origin_lead_id, NEW.root_lead_id, NEW.time_zones, NEW.round);
  -- the row lead_contacts_add_dialing added (none for a campaign whose rows are pending), with
  -- what the insert said
  PERFORM lead_dialing_write(NEW);
  RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION leads_view_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.id IS DISTINCT FROM OLD.id THEN
    RAISE feature_not_supported USING MESSAGE = 'a lead keeps its id';
  END IF;
  IF (NEW.campaign_id, NEW.name, NEW.phone, NEW.extra_phones, NEW.description, NEW.external_id, NEW.fields, NEW.phone_raw,
      NEW.origin_lead_id, NEW.root_lead_id, NEW.time_zones) IS DISTINCT FROM
     (OLD.campaign_id, OLD.name, OLD.phone, OLD.extra_phones, OLD.description, OLD.external_id, OLD.fields, OLD.phone_raw,
      OLD.origin_lead_id, OLD.root_lead_id, OLD.time_zones) THEN
    UPDATE lead_contacts SET campaign_id = NEW.campaign_id, name = NEW.name, phone = NEW.phone,
      extra_phones = NEW.extra_phones, description = NEW.description, external_id = NEW.external_id,
      fields = NEW.fields, phone_raw = NEW.phone_raw, origin_lead_id = NEW.origin_lead_id,
      root_lead_id = NEW.root_lead_id, time_zones = NEW.time_zones
    WHERE id = OLD.id;
  END IF;
  IF (NEW.last_attempt_at, NEW.next_attempt_at, NEW.callback_at, NEW.preview_until, NEW.attempts, NEW.phone_index,
      NEW.round, NEW.in_progress, NEW.done, NEW.disabled, NEW.preview_accepted, NEW.status, NEW.callback_agent,
      NEW.preview_agent) IS DISTINCT FROM
     (OLD.last_attempt_at, OLD.next_attempt_at, OLD.callback_at, OLD.preview_until, OLD.attempts, OLD.phone_index,
      OLD.round, OLD.in_progress, OLD.done, OLD.disabled, OLD.preview_accepted, OLD.status, OLD.callback_agent,
      OLD.preview_agent) THEN
    PERFORM lead_dialing_write(NEW);
  END IF;
  RETURN NEW;
END $$;
