-- Addresses that asked not to be messaged on a channel (SMS STOP, email
-- unsubscribe), per tenant. Checked before every send from any path, so a
-- STOP holds even for messages planned before it arrived.
CREATE TABLE opt_outs (
  tenant      text NOT NULL,
  channel     text NOT NULL CHECK (channel IN ('sms', 'email')),
  address     text NOT NULL,           -- E.164 phone or lowercased email
  opted_out   boolean NOT NULL,
  source      text NOT NULL,
  at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, channel, address)
);
