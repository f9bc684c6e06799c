-- Analytics projections of the journal, per tenant. Figures are sums kept in
-- aggregate tables; per-lead rows hold what folding later events needs.

-- How far each tenant's events are folded in (moved only by compare-and-set),
-- and the zone its local days were counted in.
CREATE TABLE analytics_checkpoints (
  tenant     text PRIMARY KEY,
  position   bigint NOT NULL DEFAULT 0,
  time_zone  text   NOT NULL DEFAULT 'UTC',
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- One row per lead: its folded facts (jsonb) and, while it is open and not
-- merged away, since when it has been silent (epoch ms).
CREATE TABLE analytics_leads (
  tenant       text   NOT NULL,
  lead_id      text   NOT NULL,
  facts        jsonb  NOT NULL,
  silent_since bigint,
  PRIMARY KEY (tenant, lead_id)
);
CREATE INDEX analytics_leads_silent ON analytics_leads (tenant, silent_since)
  WHERE silent_since IS NOT NULL;

-- A lead's run of a campaign (first enrollment) and what it did after enrolling.
CREATE TABLE analytics_campaign_leads (
  tenant      text  NOT NULL,
  lead_id     text  NOT NULL,
  campaign_id text  NOT NULL,
  facts       jsonb NOT NULL,
  PRIMARY KEY (tenant, lead_id, campaign_id)
);

-- Outbound messages that delivery status updates may name.
CREATE TABLE analytics_messages (
  tenant      text    NOT NULL,
  lead_id     text    NOT NULL,
  external_id text    NOT NULL,
  channel     text    NOT NULL,
  campaign_id text,
  delivered   boolean NOT NULL DEFAULT false,
  failed      boolean NOT NULL DEFAULT false,
  PRIMARY KEY (tenant, lead_id, external_id)
);

-- Leads by capture day (tenant's zone) and source: captures and how far that cohort got.
CREATE TABLE analytics_days (
  tenant        text   NOT NULL,
  day           date   NOT NULL,
  source        text   NOT NULL,
  captured      bigint NOT NULL DEFAULT 0,
  contacted     bigint NOT NULL DEFAULT 0,
  responded     bigint NOT NULL DEFAULT 0,
  meeting       bigint NOT NULL DEFAULT 0,
  won           bigint NOT NULL DEFAULT 0,
  wrote         bigint NOT NULL DEFAULT 0,
  replied_after bigint NOT NULL DEFAULT 0,
  ttfr_count    bigint NOT NULL DEFAULT 0,
  ttfr_sum_ms   numeric NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant, day, source)
);

CREATE TABLE analytics_channels (
  tenant    text   NOT NULL,
  channel   text   NOT NULL,
  sent      bigint NOT NULL DEFAULT 0,
  delivered bigint NOT NULL DEFAULT 0,
  failed    bigint NOT NULL DEFAULT 0,
  replied   bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant, channel)
);

CREATE TABLE analytics_campaigns (
  tenant              text    NOT NULL,
  campaign_id         text    NOT NULL,
  enrolled            bigint  NOT NULL DEFAULT 0,
  sent                bigint  NOT NULL DEFAULT 0,
  delivered           bigint  NOT NULL DEFAULT 0,
  opened              bigint  NOT NULL DEFAULT 0,
  clicked             bigint  NOT NULL DEFAULT 0,
  replied             bigint  NOT NULL DEFAULT 0,
  booked              bigint  NOT NULL DEFAULT 0,
  won                 bigint  NOT NULL DEFAULT 0,
  cost_cents          numeric NOT NULL DEFAULT 0,
  revenue_cents       numeric NOT NULL DEFAULT 0,
  first_leads         bigint  NOT NULL DEFAULT 0,
  first_won           bigint  NOT NULL DEFAULT 0,
  first_revenue_cents numeric NOT NULL DEFAULT 0,
  last_leads          bigint  NOT NULL DEFAULT 0,
  last_won            bigint  NOT NULL DEFAULT 0,
  last_revenue_cents  numeric NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant, campaign_id)
);

CREATE TABLE analytics_campaign_variants (
  tenant      text   NOT NULL,
  campaign_id text   NOT NULL,
  variant     int    NOT NULL,
  enrolled    bigint NOT NULL DEFAULT 0,
  sent        bigint NOT NULL DEFAULT 0,
  replied     bigint NOT NULL DEFAULT 0,
  booked      bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant, campaign_id, variant)
);

-- Live leads by score bucket (0, 10, ..., 90).
CREATE TABLE analytics_scores (
  tenant text   NOT NULL,
  bucket int    NOT NULL,
  count  bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant, bucket)
);

-- Open live leads by the hour (epoch hours) they went silent, so a silent
-- count sums whole hours and reads only the boundary hour's leads.
CREATE TABLE analytics_silence (
  tenant text   NOT NULL,
  hour   bigint NOT NULL,
  count  bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant, hour)
);
