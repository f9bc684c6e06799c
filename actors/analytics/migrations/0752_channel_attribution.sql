-- First- and last-touch attribution per channel (the channel of a lead's first and
-- last outbound message before it was won), and what the channel's campaign steps cost.
ALTER TABLE analytics_channels
  ADD COLUMN cost_cents          numeric NOT NULL DEFAULT 0,
  ADD COLUMN first_leads         bigint  NOT NULL DEFAULT 0,
  ADD COLUMN first_won           bigint  NOT NULL DEFAULT 0,
  ADD COLUMN first_revenue_cents numeric NOT NULL DEFAULT 0,
  ADD COLUMN last_leads          bigint  NOT NULL DEFAULT 0,
  ADD COLUMN last_won            bigint  NOT NULL DEFAULT 0,
  ADD COLUMN last_revenue_cents  numeric NOT NULL DEFAULT 0;
