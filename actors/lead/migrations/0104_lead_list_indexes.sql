-- One index per order of the lead list (GET /v1/leads?sort=), each keyed as
-- that order's keyset cursor is, so the first page and every later one read
-- only the rows they return, at 100,000+ leads per tenant. Partial on
-- unmerged leads: the list never shows merged ones. `oldest` walks the
-- newest index backwards.
CREATE INDEX IF NOT EXISTS leads_list_newest
  ON leads (tenant, created_at DESC, lead_id DESC) WHERE merged_into IS NULL;
CREATE INDEX IF NOT EXISTS leads_list_status_newest
  ON leads (tenant, status, created_at DESC, lead_id DESC) WHERE merged_into IS NULL;
CREATE INDEX IF NOT EXISTS leads_list_score
  ON leads (tenant, score DESC, lead_id DESC) WHERE merged_into IS NULL;
CREATE INDEX IF NOT EXISTS leads_list_name
  ON leads (tenant, (name = ''), lower(name), lead_id) WHERE merged_into IS NULL;
CREATE INDEX IF NOT EXISTS leads_list_activity
  ON leads (tenant, last_activity DESC, lead_id DESC) WHERE merged_into IS NULL;
