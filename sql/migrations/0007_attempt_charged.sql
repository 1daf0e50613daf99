-- Which call rows count in their lead's attempts. Not charged: an attempt closed because the
-- hark process placing it stopped, and one our own trunk failed (no answer, no ringing,
-- 408/5xx while the trunk back-off had tripped). leads.attempts is the number of charged,
-- closed rows; the campaign summary reports both counts.
ALTER TABLE call_attempts ADD COLUMN charged boolean NOT NULL DEFAULT true;
UPDATE call_attempts SET charged = false WHERE cause = 'the hark process placing the call stopped';
