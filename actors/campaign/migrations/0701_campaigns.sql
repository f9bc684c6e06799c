-- Read model of campaigns, kept by the campaign actor in the same commit as its
-- events: the list the dashboard pages through without activating every campaign.
CREATE TABLE campaigns (
  actor        text PRIMARY KEY,
  tenant       text NOT NULL,
  campaign_id  text NOT NULL,
  name         text NOT NULL,
  status       text NOT NULL,
  enrolled     int  NOT NULL,
  created_at   timestamptz NOT NULL,
  launched_at  timestamptz,
  stopped_at   timestamptz
);
CREATE INDEX campaigns_tenant_created ON campaigns (tenant, created_at DESC, campaign_id DESC);
