-- Campaigns each lead was ever enrolled in, kept by the lead actor, so an
-- audience scan leaves out leads already in the campaign; and the lead id
-- per tenant, the keyset order audience scans page in.
ALTER TABLE leads ADD COLUMN campaigns text[] NOT NULL DEFAULT '{}';
CREATE INDEX leads_campaigns ON leads USING gin (campaigns);
CREATE INDEX leads_tenant_lead ON leads (tenant, lead_id);
