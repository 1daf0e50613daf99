-- Failed logins are no longer counted in the users table.
--
-- Five wrong passwords used to lock an account for 15 minutes: anyone could lock the only
-- master out, and a locked account answered differently from an unknown username. Failed
-- logins are now throttled in memory per client address and per username (control/api/
-- login_throttle.h), so the lockout columns go. A hark process of an older version sharing
-- this database would fail to prepare its statements: upgrade every process together.
ALTER TABLE users DROP COLUMN failed_logins, DROP COLUMN locked_until;
