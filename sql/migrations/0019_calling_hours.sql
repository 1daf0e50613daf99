-- Calling hours at the called party's local time (issue 18 part 4).

-- The campaign's window in each lead's own time zone(s); NULL: off. A start after the end is a
-- window across midnight (start inclusive, end exclusive).
ALTER TABLE campaigns ADD COLUMN calling_start time;
ALTER TABLE campaigns ADD COLUMN calling_end time;
ALTER TABLE campaigns ADD CONSTRAINT campaigns_calling_hours CHECK
  ((calling_start IS NULL) = (calling_end IS NULL) AND (calling_start IS NULL OR calling_start <> calling_end));

-- The zones the lead's numbers may be in (IANA names from tzdata's zone1970.tab, through
-- libphonenumber's region and geocoder: signaling/number_time_zones.h), written at import.
-- NULL: not known yet (leads from before this migration, leads added or edited one by one):
-- hark fills them when a campaign with calling hours starts. Empty: no zone known (an
-- extension, a non-geographic number): the campaign's own time zone is used.
ALTER TABLE leads ADD COLUMN time_zones text[];

-- Every zone of the campaign's leads not done, as of its last start with calling hours (leads
-- change only while a campaign is stopped): the claim tests a few zones, not every zone there
-- is. NULL: not recorded; every zone PostgreSQL knows is tested (correct, slower).
ALTER TABLE campaigns ADD COLUMN lead_zones text[];

-- The zones PostgreSQL knows, read once here: pg_timezone_names reads the whole zone directory
-- (~100 ms), too slow for every claim. A lead zone missing from it is never inside its window
-- (its lead waits: never called at an unknown hour).
CREATE TABLE time_zone_names (name text PRIMARY KEY);
INSERT INTO time_zone_names SELECT name FROM pg_timezone_names WHERE name !~ '^(posix|right)/' ON CONFLICT DO NOTHING;

-- Whether the local time `t` is inside [open_at, close_at) (across midnight when open_at > close_at).
CREATE FUNCTION hark_window_holds(t time, open_at time, close_at time) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN open_at < close_at THEN t >= open_at AND t < close_at ELSE t >= open_at OR t < close_at END
$$;

-- The zones of `universe` (NULL: every zone PostgreSQL knows) whose local time at `moment` is
-- inside the window: computed once per claim, so each lead costs one test of a short array,
-- `time_zones <@ open zones`: the all-zones rule (every zone of the lead is open).
-- sql/statements.cpp (IN_CALLING_HOURS) does that. The CASE keeps zones outside `universe` from
-- being loaded at all (a first AT TIME ZONE of a zone reads its file).
CREATE FUNCTION hark_open_zones(open_at time, close_at time, moment timestamptz, universe text[]) RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT COALESCE(array_agg(name), '{}') FROM time_zone_names
  WHERE CASE WHEN universe IS NULL OR name = ANY(universe)
             THEN hark_window_holds((moment AT TIME ZONE name)::time, open_at, close_at) ELSE false END
$$;

-- The rule for one lead: every one of `zones` inside the window at `moment`, or `fallback` (the
-- campaign's zone) when no zone is known; no window (open_at NULL): open. For single checks and
-- tests (control/campaign/calling_window.cpp is the same rule in C++; tests/sql/
-- calling_hours_store_test.cpp checks they agree); the claim uses the pieces above.
CREATE FUNCTION hark_calling_window_open(zones text[], fallback text, open_at time, close_at time, moment timestamptz)
RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT open_at IS NULL OR CASE WHEN cardinality(zones) > 0 THEN zones <@ hark_open_zones(open_at, close_at, moment, zones)
                                 ELSE hark_window_holds((moment AT TIME ZONE fallback)::time, open_at, close_at) END
$$;
