-- Recycling speed (issue 20): fewer index entries written for each lead row.
--
-- Recycling leads into the same campaign rewrites each row (status, done and next_attempt_at
-- are indexed, so no update is HOT) and every new row version is inserted into every index
-- whose predicate it satisfies; a copy into a new campaign and an import insert into every
-- index too. Two indexes now leave out the rows their queries never look for:
--
--  * leads_extra_phones (the inbound look-up of a caller among leads' other numbers, 0017)
--    only holds leads that have other numbers. A GIN index stores an "empty" entry for each
--    empty array, which no `@>` search for a number ever finds. The look-ups say
--    `extra_phones <> '{}' AND extra_phones @> ...` so the planner can use it (statements.cpp).
--  * leads_status (finished leads of a campaign by status: which leads a recycle takes, 0001)
--    leaves out NOT_CALLED, the status every recycled, copied and imported lead gets. The
--    recycle statements say `status <> 'NOT_CALLED'` (never a recycled status anyway); the
--    per-status counts read the campaign's leads as they did for NOT_CALLED before.
--
-- Same names, same queries answered; existing rows are indexed again by the CREATE INDEX.
DROP INDEX leads_extra_phones;
CREATE INDEX leads_extra_phones ON leads USING gin (extra_phones) WHERE extra_phones <> '{}';
DROP INDEX leads_status;
CREATE INDEX leads_status ON leads (campaign_id, status) WHERE status <> 'NOT_CALLED';
