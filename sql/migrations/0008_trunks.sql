-- Trunks in groups (issue 15): a campaign names the trunk group it dials through ('' : the
-- first group of the configuration), and each attempt records the trunk that carried its last
-- INVITE (NULL: it never reached one, e.g. a do-not-call hit) and the trunks that failed it
-- before, as "name:code" items (failover on 408, 5xx or a transport error).
ALTER TABLE campaigns ADD COLUMN trunk_group text NOT NULL DEFAULT '';
ALTER TABLE call_attempts ADD COLUMN trunk text;
ALTER TABLE call_attempts ADD COLUMN failed_over text[] NOT NULL DEFAULT '{}';
