-- One row per message handed to a provider, keyed by the outbox idempotency
-- key. 'sending' is written before the provider is called and 'sent' after
-- it accepted: a dispatcher that finds 'sent' never sends again, and one that
-- finds 'sending' (a crash in between) resends only through a provider that
-- deduplicates on the key. Also the log for frequency caps and message cost.
CREATE TABLE message_sends (
  tenant       text   NOT NULL,
  key          text   NOT NULL,
  lead_id      text,
  channel      text   NOT NULL,
  recipient    text   NOT NULL,
  state        text   NOT NULL CHECK (state IN ('sending', 'sent')),
  provider     text   NOT NULL,
  provider_id  text,
  sandbox      boolean NOT NULL DEFAULT false,
  segments     int,
  cost_micros  bigint,
  started_at   bigint NOT NULL,
  sent_at      bigint,
  PRIMARY KEY (tenant, key)
);
CREATE INDEX message_sends_lead ON message_sends (tenant, lead_id, sent_at);
