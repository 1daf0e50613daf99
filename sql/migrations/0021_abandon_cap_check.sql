-- The abandon cap's check compared a real with the numeric literal 0.1: 0.1 stored as a real is
-- 0.100000001490116, above the numeric 0.1, so the API accepted "abandonCap": 0.1 (its own
-- bound) and the database refused it. Compare within real.
ALTER TABLE campaigns DROP CONSTRAINT campaigns_abandon_cap_check;
ALTER TABLE campaigns ADD CONSTRAINT campaigns_abandon_cap_check
  CHECK (abandon_cap >= 0 AND abandon_cap <= real '0.1');
