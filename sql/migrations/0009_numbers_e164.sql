-- Numbers are parsed once, at import, with libphonenumber (signaling/phone_number.h): leads and
-- do-not-call numbers are stored as E.164 ("+441615527789") or as an extension's digits, and
-- the text as it was written is kept for display.
--
-- Existing rows are left as they were stored (digits, a '+' when one was typed) and their raw
-- text is NULL, which reads as "the same as the stored number". The do-not-call index compares
-- digits, so an old entry stored as "441615527789" still matches the lead "+441615527789"; an
-- old entry in national form ("01615527789") matches only once the list is uploaded again.

-- Where a campaign's numbers are read from when they carry no country code (ISO 3166, "GB"),
-- and how many digits an extension has at most (kept as written, never parsed).
ALTER TABLE campaigns ADD COLUMN default_region text NOT NULL DEFAULT 'US'
  CHECK (default_region ~ '^[A-Z]{2}$');
ALTER TABLE campaigns ADD COLUMN internal_length int NOT NULL DEFAULT 4 CHECK (internal_length BETWEEN 0 AND 15);

ALTER TABLE leads ADD COLUMN phone_raw text;

-- A list is shared by campaigns of any region: it reads numbers with settings of its own.
ALTER TABLE dnc_lists ADD COLUMN default_region text NOT NULL DEFAULT 'US'
  CHECK (default_region ~ '^[A-Z]{2}$');
ALTER TABLE dnc_lists ADD COLUMN internal_length int NOT NULL DEFAULT 4 CHECK (internal_length BETWEEN 0 AND 15);
ALTER TABLE dnc_numbers ADD COLUMN raw text;
