-- Read model of the `ai` role's suggestions, kept by the suggestion actor in
-- the same commit as its events; the admin's list reads it.
CREATE TABLE suggestions (
  actor          text PRIMARY KEY,
  tenant         text        NOT NULL,
  suggestion_id  text        NOT NULL,
  status         text        NOT NULL,   -- pending, approving, approved, failed, rejected
  suggested_by   text        NOT NULL,   -- sub of the ai caller
  method         text        NOT NULL,
  path           text        NOT NULL,   -- path and query string
  body           jsonb,
  created_at     timestamptz NOT NULL,
  decided_by     text,
  decided_at     timestamptz,
  result         jsonb,                  -- {status, body} of the approved run
  reason         text
);
CREATE INDEX suggestions_tenant_created ON suggestions (tenant, created_at DESC, suggestion_id DESC);
CREATE INDEX suggestions_tenant_status ON suggestions (tenant, status, created_at DESC);
