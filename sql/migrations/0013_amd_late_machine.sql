-- A call called `human` whose AMD later heard a beep or a monologue (a suspected miss): the
-- cause of its late_machine event, e.g. 'late-beep-1000Hz-400ms'. NULL: none.
ALTER TABLE call_attempts ADD COLUMN amd_late_cause text;
