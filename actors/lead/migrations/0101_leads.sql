-- Identity keys per tenant (normalized email, E.164 phone, business name in a
-- postcode, capture idempotency keys), each pointing at exactly one lead. The
-- primary key is what makes two simultaneous captures of one person one lead.
CREATE TABLE lead_identities (
  tenant     text NOT NULL,
  key        text NOT NULL,
  lead_id    text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, key)
);
CREATE INDEX lead_identities_lead ON lead_identities (tenant, lead_id);

-- Read model of leads, kept by the lead actor in the same commit as its events.
CREATE TABLE leads (
  actor          text PRIMARY KEY,
  tenant         text NOT NULL,
  lead_id        text NOT NULL,
  name           text NOT NULL,
  email          text,
  phone          text,
  company        text,
  status         text NOT NULL,
  score          int  NOT NULL,
  priority       text NOT NULL,
  owner          text,
  source         text NOT NULL,
  tags           text[] NOT NULL,
  time_zone      text,
  created_at     timestamptz NOT NULL,
  last_activity  timestamptz NOT NULL,
  last_inbound   timestamptz,
  last_outbound  timestamptz,
  merged_into    text
);
CREATE INDEX leads_tenant_status ON leads (tenant, status, score DESC);
CREATE INDEX leads_tenant_created ON leads (tenant, created_at DESC);
CREATE INDEX leads_tenant_activity ON leads (tenant, last_activity);
