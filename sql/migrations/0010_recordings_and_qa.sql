-- Call recording per campaign, and QA's truth for recorded calls.

-- recording_percent: 0 off, 100 every call, else that share of attempts (chosen by attempt id,
-- so the choice is reproducible). Files are <attempt id>.wav in the recordings folder; an
-- answered attempt of a recording campaign has one once the call has ended (the file's presence is the record:
-- the call log links it, retention deletes it).
ALTER TABLE campaigns ADD COLUMN recording_percent int NOT NULL DEFAULT 0 CHECK (recording_percent BETWEEN 0 AND 100);
ALTER TABLE campaigns ADD COLUMN recording_channels text NOT NULL DEFAULT 'mixed'
  CHECK (recording_channels IN ('mixed', 'stereo'));
-- NULL: kept until deleted by hand; else the runner deletes recordings older than this.
ALTER TABLE campaigns ADD COLUMN recording_retention_days int CHECK (recording_retention_days BETWEEN 1 AND 3650);

-- What QA says really answered (PUT /calls/{id}/label), and the beep's onset when they heard one.
ALTER TABLE call_attempts ADD COLUMN qa_label text CHECK (qa_label IN ('human', 'machine', 'fax', 'sit', 'silence'));
ALTER TABLE call_attempts ADD COLUMN qa_beep_ms int CHECK (qa_beep_ms >= 0);
ALTER TABLE call_attempts ADD COLUMN qa_labelled_at timestamptz;
ALTER TABLE call_attempts ADD COLUMN qa_labelled_by bigint REFERENCES users(id) ON DELETE SET NULL;

-- Reports filter the call log by time.
CREATE INDEX call_attempts_dialed ON call_attempts (dialed_at);
