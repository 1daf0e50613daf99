-- Webhooks for CRMs (issue 16 part 4): a campaign's URLs that get a signed POST for call
-- events, and the outbox of those POSTs. The outbox is the whole delivery state (attempts, next
-- try, last answer), so a restart of every hark process loses nothing: at-least-once delivery.
CREATE TABLE webhooks (
  id          bigserial PRIMARY KEY,
  campaign_id bigint NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  url         text NOT NULL,
  events      text[] NOT NULL,  -- of answered, verdict, transferred, ended
  secret      text NOT NULL,    -- the HMAC-SHA256 key; shown once, at creation
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhooks_campaign ON webhooks (campaign_id);

-- One row per (webhook, event of a call). `body` is the exact JSON posted (and signed), built
-- once at enqueue so every retry sends the same bytes.
CREATE TABLE webhook_deliveries (
  id           bigserial PRIMARY KEY,
  webhook_id   bigint NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  attempt_id   bigint,           -- the call (not a foreign key: the log outlives deleted leads)
  event        text NOT NULL,
  body         text NOT NULL,
  status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts     int NOT NULL DEFAULT 0,
  next_try_at  timestamptz NOT NULL DEFAULT now(),
  last_status  int,              -- the receiver's last HTTP status (NULL: no answer)
  last_error   text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_try_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);
