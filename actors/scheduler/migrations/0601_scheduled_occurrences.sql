-- One row per occurrence of a scheduled job for a tenant. The primary key is
-- what makes a run exactly-once across nodes: every node that finds the
-- occurrence due tries to insert it, and only the one whose insert lands runs it.
CREATE TABLE scheduled_occurrences (
  job text NOT NULL,
  tenant text NOT NULL,
  occurrence timestamptz NOT NULL,
  claimed_by text NOT NULL,
  claimed_at timestamptz NOT NULL,
  finished_at timestamptz,
  -- NULL while running (or when the claiming node died mid-run).
  outcome text CHECK (outcome IN ('ok', 'failed')),
  error text,
  PRIMARY KEY (job, tenant, occurrence)
);
