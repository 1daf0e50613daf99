-- Recycling speed (issue 20): less work for each lead row written.
--
-- Recycling leads into the same campaign rewrites each row (status, done and next_attempt_at
-- are indexed, so no update is HOT) and every new row version is inserted into every index
-- whose predicate it satisfies; a copy into a new campaign and an import insert into every
-- index too. Measured with bench/recycle_bench (profile of the backend: 60 % of its CPU in
-- btree inserts, 11 % of it comparing text, 4 % in the campaign trigger's row lock).
--
-- 1. Two indexes leave out the rows their queries never look for:
--  * leads_extra_phones (the inbound look-up of a caller among leads' other numbers, 0017)
--    only holds leads that have other numbers. A GIN index stores an "empty" entry for each
--    empty array, which no `@>` search for a number ever finds. The look-ups say
--    `extra_phones <> '{}' AND extra_phones @> ...` so the planner can use it (statements.cpp).
--  * leads_status (finished leads of a campaign by status: which leads a recycle takes, 0001)
--    leaves out NOT_CALLED, the status every recycled, copied and imported lead gets. The
--    recycle statements say `status <> 'NOT_CALLED'` (never a recycled status anyway); the
--    per-status counts read the campaign's leads as they did for NOT_CALLED before.
DROP INDEX leads_extra_phones;
CREATE INDEX leads_extra_phones ON leads USING gin (extra_phones) WHERE extra_phones <> '{}';
DROP INDEX leads_status;
CREATE INDEX leads_status ON leads (campaign_id, status) WHERE status <> 'NOT_CALLED';

-- 2. "A lead never moves to another campaign" (0003) is checked after the row instead of
-- before it. A BEFORE UPDATE row trigger makes PostgreSQL fetch and lock every updated row
-- first (a row lock and its WAL record per lead), whatever its column list and WHEN say; an
-- AFTER trigger with the same column list is only queued when campaign_id is in the SET list,
-- and its error still fails the whole statement (same SQLSTATE and message).
DROP TRIGGER leads_campaign_fixed ON leads;
CREATE TRIGGER leads_campaign_fixed AFTER UPDATE OF campaign_id ON leads
  FOR EACH ROW WHEN (OLD.campaign_id IS DISTINCT FROM NEW.campaign_id) EXECUTE FUNCTION leads_keep_campaign();

-- 3. phone and external_id compare bytewise (COLLATE "C"): every btree insert into
-- leads_phone and the unique (campaign_id, external_id) compares them several times, and a
-- locale's strcoll costs a copy and a call each time. Only equality is ever asked of them
-- (look-ups, uniqueness, do-not-call matches), which is the same in every deterministic
-- collation; nothing sorts by them. The indexes on them are rebuilt; the rows are not rewritten.
ALTER TABLE leads ALTER COLUMN phone TYPE text COLLATE "C", ALTER COLUMN external_id TYPE text COLLATE "C";
