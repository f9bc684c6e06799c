-- The throughput governor's buckets when they are shared by the cluster
-- (PostgresGovernor): one row per capped key and limit. Rows stay few (one per
-- sender and tenant and limit), so nothing prunes them.

CREATE TABLE channel_buckets (
  key       text   NOT NULL,            -- e.g. sender:+14155550100, tenant:t1
  limit_id  text   NOT NULL,            -- rate/<perMs> or quota/<windowMs>/<offsetMs>
  level     double precision NOT NULL,  -- tokens left (rate) or messages counted (quota)
  at        bigint NOT NULL,            -- epoch ms: when measured (rate), window start (quota)
  PRIMARY KEY (key, limit_id)
);
