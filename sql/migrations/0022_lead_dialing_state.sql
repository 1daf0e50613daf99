-- Recycling speed (issue 20): a lead's dialing state in a narrow table of its own.
--
-- Recycling leads into the same campaign rewrote every wide lead row (name, phone, numbers,
-- fields, time zones: ~170 bytes) and, the update never being HOT, inserted the new version
-- into every index of the table: the primary key, the unique external id, the phone look-up
-- and the due index (bench/recycle_bench: ~13 s for 1,000,000 leads on a quiet machine,
-- target 10 s). The runner's claim and finish of every call did the same.
--
-- Now a lead is two rows with the same id:
--  * lead_contacts: who is called, written at import and by an edit (the table that was
--    `leads`, renamed, with its indexes, triggers and sequence);
--  * lead_dialing: how far dialing has got (status, attempts, due time, round, callback,
--    preview, disabled): what the recycle, the claim and the finish rewrite. Its indexes are
--    the three that read that state (leads_due, leads_status, leads_callbacks, moved here).
-- A recycle rewrites a few dozen bytes a lead and none of the contact indexes.
--
-- `leads` is a view joining the two, with the columns the table had, for everything that reads
-- or changes a lead one at a time (the API's single-lead routes, reports, tests); its INSTEAD OF
-- triggers write the two tables. Bulk and runner statements use the tables themselves
-- (sql/statements_leads.cpp).
--
-- One dialing row for every contact, and none without: an insert into lead_contacts (COPY
-- import, the view, a recycle's copies) adds the dialing rows in a statement trigger, and a
-- delete removes them. The round a dialing row starts in is the contact's first_round (1; a
-- recycle's copy: its origin's round + 1), so the trigger looks nothing up: a look-up of each
-- origin cost a 1,000,000-lead copy ~2 s, and a hash join scrambled the rows' order (every
-- index insert then lands on a random page: ~4 s). No foreign key between the two tables: its
-- per-row check would cost an import or a copy seconds too; the triggers are the only writers.

CREATE TABLE lead_dialing (
  lead_id          bigint PRIMARY KEY,
  campaign_id      bigint NOT NULL,          -- the lead's (fixed): the indexes are per campaign
  last_attempt_at  timestamptz,
  next_attempt_at  timestamptz,
  callback_at      timestamptz,              -- a scheduled callback (also in next_attempt_at)
  preview_until    timestamptz,
  attempts         int NOT NULL DEFAULT 0,
  phone_index      int NOT NULL DEFAULT 0 CHECK (phone_index >= 0),
  round            int NOT NULL DEFAULT 1 CHECK (round >= 1),
  in_progress      boolean NOT NULL DEFAULT false,
  done             boolean NOT NULL DEFAULT false,
  disabled         boolean NOT NULL DEFAULT false,
  preview_accepted boolean NOT NULL DEFAULT false,
  status           text NOT NULL DEFAULT 'NOT_CALLED'
                   CONSTRAINT leads_status_check
                   CHECK (status IN ('NOT_CALLED','SUCCESS','FAILURE','BUSY','NO_ANSWER','REJECTED','AMD',
                                     'SERVICE_TEMPORARILY_UNAVAILABLE','DNC','UNKNOWN','ABANDONED')),
  callback_agent   text,
  preview_agent    text
);

INSERT INTO lead_dialing (lead_id, campaign_id, last_attempt_at, next_attempt_at, callback_at, preview_until, attempts,
                          phone_index, round, in_progress, done, disabled, preview_accepted, status, callback_agent,
                          preview_agent)
SELECT id, campaign_id, last_attempt_at, next_attempt_at, callback_at, preview_until, attempts, phone_index, round,
       in_progress, done, disabled, preview_accepted, status, callback_agent, preview_agent
FROM leads ORDER BY id;

-- Drops leads_due, leads_status, leads_callbacks and the checks with them.
ALTER TABLE leads DROP COLUMN status, DROP COLUMN attempts, DROP COLUMN last_attempt_at, DROP COLUMN next_attempt_at,
  DROP COLUMN in_progress, DROP COLUMN done, DROP COLUMN phone_index, DROP COLUMN round, DROP COLUMN disabled,
  DROP COLUMN callback_at, DROP COLUMN callback_agent, DROP COLUMN preview_agent, DROP COLUMN preview_until,
  DROP COLUMN preview_accepted;
ALTER TABLE leads RENAME TO lead_contacts;
ALTER TABLE lead_contacts ADD COLUMN first_round int NOT NULL DEFAULT 1 CHECK (first_round >= 1);

-- The same three indexes as before (0002, 0011, 0020), same names and predicates.
CREATE INDEX leads_due ON lead_dialing (campaign_id, next_attempt_at NULLS FIRST, lead_id) WHERE NOT in_progress AND NOT done;
CREATE INDEX leads_status ON lead_dialing (campaign_id, status) WHERE status <> 'NOT_CALLED';
CREATE INDEX leads_callbacks ON lead_dialing (campaign_id, callback_at) WHERE callback_at IS NOT NULL AND NOT done;

-- New contacts get their dialing rows, in the rows' order (the indexes' inserts stay local).
CREATE FUNCTION lead_contacts_add_dialing() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO lead_dialing (lead_id, campaign_id, round) SELECT id, campaign_id, first_round FROM new_leads;
  RETURN NULL;
END $$;
CREATE TRIGGER lead_contacts_add_dialing AFTER INSERT ON lead_contacts
  REFERENCING NEW TABLE AS new_leads FOR EACH STATEMENT EXECUTE FUNCTION lead_contacts_add_dialing();

CREATE FUNCTION lead_contacts_drop_dialing() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM lead_dialing WHERE lead_id IN (SELECT id FROM old_leads);
  RETURN NULL;
END $$;
CREATE TRIGGER lead_contacts_drop_dialing AFTER DELETE ON lead_contacts
  REFERENCING OLD TABLE AS old_leads FOR EACH STATEMENT EXECUTE FUNCTION lead_contacts_drop_dialing();

-- Deleting a campaign deletes its leads (0003): from the table, not row by row through the view.
CREATE OR REPLACE FUNCTION campaigns_delete_leads() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM lead_contacts WHERE campaign_id IN (SELECT id FROM old_campaigns);
  RETURN NULL;
END $$;

-- A lead as one row, the columns in the table's old order.
CREATE VIEW leads AS
SELECT c.id, c.campaign_id, c.name, c.phone, c.extra_phones, c.description, c.external_id, c.fields, d.status, d.attempts,
       d.last_attempt_at, d.next_attempt_at, d.in_progress, d.done, c.phone_raw, d.phone_index, d.round, c.origin_lead_id,
       c.root_lead_id, d.disabled, d.callback_at, d.callback_agent, d.preview_agent, d.preview_until, d.preview_accepted,
       c.time_zones
FROM lead_contacts c JOIN lead_dialing d ON d.lead_id = c.id;

-- A view takes no defaults from its tables: the tables' defaults, for inserts through it.
ALTER VIEW leads ALTER COLUMN id SET DEFAULT nextval('leads_id_seq'::regclass);
ALTER VIEW leads ALTER COLUMN name SET DEFAULT '';
ALTER VIEW leads ALTER COLUMN extra_phones SET DEFAULT '{}';
ALTER VIEW leads ALTER COLUMN description SET DEFAULT '';
ALTER VIEW leads ALTER COLUMN fields SET DEFAULT '{}';
ALTER VIEW leads ALTER COLUMN status SET DEFAULT 'NOT_CALLED';
ALTER VIEW leads ALTER COLUMN attempts SET DEFAULT 0;
ALTER VIEW leads ALTER COLUMN in_progress SET DEFAULT false;
ALTER VIEW leads ALTER COLUMN done SET DEFAULT false;
ALTER VIEW leads ALTER COLUMN phone_index SET DEFAULT 0;
ALTER VIEW leads ALTER COLUMN round SET DEFAULT 1;
ALTER VIEW leads ALTER COLUMN disabled SET DEFAULT false;
ALTER VIEW leads ALTER COLUMN preview_accepted SET DEFAULT false;

CREATE FUNCTION leads_view_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO lead_contacts (id, campaign_id, name, phone, extra_phones, description, external_id, fields, phone_raw,
                             origin_lead_id, root_lead_id, time_zones, first_round)
  VALUES (NEW.id, NEW.campaign_id, NEW.name, NEW.phone, NEW.extra_phones, NEW.description, NEW.external_id, NEW.fields,
          NEW.phone_raw, NEW.origin_lead_id, NEW.root_lead_id, NEW.time_zones, NEW.round);
  -- the row lead_contacts_add_dialing added, with what the insert said
  UPDATE lead_dialing SET last_attempt_at = NEW.last_attempt_at, next_attempt_at = NEW.next_attempt_at,
    callback_at = NEW.callback_at, preview_until = NEW.preview_until, attempts = NEW.attempts,
    phone_index = NEW.phone_index, round = NEW.round, in_progress = NEW.in_progress, done = NEW.done,
    disabled = NEW.disabled, preview_accepted = NEW.preview_accepted, status = NEW.status,
    callback_agent = NEW.callback_agent, preview_agent = NEW.preview_agent
  WHERE lead_id = NEW.id;
  RETURN NEW;
END $$;
CREATE TRIGGER leads_view_insert INSTEAD OF INSERT ON leads FOR EACH ROW EXECUTE FUNCTION leads_view_insert();

-- Each table is written only when one of its columns changes (a status change leaves the
-- contact row and its indexes alone).
CREATE FUNCTION leads_view_update() RETURNS trigger LANGUAGE plpgsql AS $$
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
    UPDATE lead_dialing SET last_attempt_at = NEW.last_attempt_at, next_attempt_at = NEW.next_attempt_at,
      callback_at = NEW.callback_at, preview_until = NEW.preview_until, attempts = NEW.attempts,
      phone_index = NEW.phone_index, round = NEW.round, in_progress = NEW.in_progress, done = NEW.done,
      disabled = NEW.disabled, preview_accepted = NEW.preview_accepted, status = NEW.status,
      callback_agent = NEW.callback_agent, preview_agent = NEW.preview_agent
    WHERE lead_id = OLD.id;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER leads_view_update INSTEAD OF UPDATE ON leads FOR EACH ROW EXECUTE FUNCTION leads_view_update();

CREATE FUNCTION leads_view_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM lead_contacts WHERE id = OLD.id;  -- lead_contacts_drop_dialing removes the other row
  RETURN OLD;
END $$;
CREATE TRIGGER leads_view_delete INSTEAD OF DELETE ON leads FOR EACH ROW EXECUTE FUNCTION leads_view_delete();
