-- Read model of tasks, kept by the task actor in the same commit as its
-- events. Overdue is a flag beside the status: an overdue task is still open
-- or assigned until someone finishes it.
CREATE TABLE tasks (
  actor       text PRIMARY KEY,
  tenant      text NOT NULL,
  task_id     text NOT NULL,
  lead_id     text NOT NULL,
  type        text NOT NULL CHECK (type IN ('sales', 'support', 'technical')),
  title       text NOT NULL,
  status      text NOT NULL CHECK (status IN ('open', 'assigned', 'done', 'cancelled')),
  assignee    text,
  priority    text NOT NULL CHECK (priority IN ('high', 'medium', 'low')),
  overdue     boolean NOT NULL DEFAULT false,
  due_at      timestamptz NOT NULL,
  created_at  timestamptz NOT NULL,
  done_at     timestamptz
);
-- A member's queue, a tenant's open work by due date, and a lead's tasks.
CREATE INDEX tasks_tenant_assignee ON tasks (tenant, assignee, status, due_at);
CREATE INDEX tasks_tenant_status_due ON tasks (tenant, status, due_at);
CREATE INDEX tasks_tenant_lead ON tasks (tenant, lead_id);
