-- Do-not-call lists and external services belong to a group (its campaign admins manage them,
-- its campaigns use them) or are global (group_id NULL: masters manage them, every campaign may
-- use them). Before this, any campaign admin could change any list. Existing rows become
-- global: only a master can change them from now on, and every campaign that used one still can.
ALTER TABLE dnc_lists ADD COLUMN group_id bigint REFERENCES dialer_groups(id);
ALTER TABLE dnc_services ADD COLUMN group_id bigint REFERENCES dialer_groups(id);

-- Names are unique within a group (and among the global ones), not across groups: a taken name
-- must not tell one group what another group's lists are called.
ALTER TABLE dnc_lists DROP CONSTRAINT dnc_lists_name_key;
ALTER TABLE dnc_services DROP CONSTRAINT dnc_services_name_key;
CREATE UNIQUE INDEX dnc_lists_group_name ON dnc_lists (COALESCE(group_id, 0), name);
CREATE UNIQUE INDEX dnc_services_group_name ON dnc_services (COALESCE(group_id, 0), name);
CREATE INDEX dnc_lists_group ON dnc_lists (group_id);
CREATE INDEX dnc_services_group ON dnc_services (group_id);
