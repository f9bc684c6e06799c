-- The uploaded file of each CSV import, written once by the driver before the
-- job starts. It lives here rather than in the import actor's events or
-- snapshots: a 20 MB event would be read back on every activation, copied into
-- every snapshot and pushed to every dashboard. The driver deletes the row
-- when the job is completed or cancelled.
CREATE TABLE import_files (
  tenant     text NOT NULL,
  import_id  text NOT NULL,
  sha256     text NOT NULL,            -- hex digest of the text, to tell a retried start from another file
  bytes      int  NOT NULL,
  csv        text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant, import_id)
);

-- Read model of import jobs, kept by the import actor in the same commit as its
-- events: the dashboard's list of imports, and how a node finds the jobs still
-- running after a restart.
CREATE TABLE imports (
  actor        text PRIMARY KEY,
  tenant       text NOT NULL,
  import_id    text NOT NULL,
  status       text NOT NULL,
  total        int  NOT NULL,
  done         int  NOT NULL,
  created      int  NOT NULL,
  merged       int  NOT NULL,
  repeated     int  NOT NULL,
  failed       int  NOT NULL,
  started_at   timestamptz,
  finished_at  timestamptz
);
CREATE INDEX imports_tenant_started ON imports (tenant, started_at DESC);
CREATE INDEX imports_running ON imports (status) WHERE status = 'running';
