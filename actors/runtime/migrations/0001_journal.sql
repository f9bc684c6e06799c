-- Actors, their journal and snapshots. Times the runtime compares against its
-- injectable clock are epoch milliseconds (bigint); event times are timestamptz
-- for analytics.

CREATE TABLE actors (
  key        text PRIMARY KEY,           -- type/tenant/id
  type       text   NOT NULL,
  tenant     text   NOT NULL,
  epoch      bigint NOT NULL,            -- fencing: bumped by every activation
  seq        bigint NOT NULL DEFAULT 0   -- last committed event sequence
);

-- One row per tenant: the last stream position handed out. Taking its row
-- lock inside the commit makes positions follow commit order, so a reader
-- never sees position n+1 before n.
CREATE TABLE streams (
  tenant     text PRIMARY KEY,
  position   bigint NOT NULL
);

CREATE TABLE events (
  tenant     text   NOT NULL,
  actor      text   NOT NULL,
  seq        bigint NOT NULL,
  position   bigint NOT NULL,
  type       text   NOT NULL,
  version    int    NOT NULL,
  data       jsonb  NOT NULL,
  at         timestamptz NOT NULL,
  PRIMARY KEY (actor, seq)
);
CREATE UNIQUE INDEX events_stream ON events (tenant, position);

CREATE TABLE snapshots (
  actor      text PRIMARY KEY,
  seq        bigint NOT NULL,
  version    int    NOT NULL,
  epoch      bigint NOT NULL,
  state      jsonb  NOT NULL,
  at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE reminders (
  actor         text   NOT NULL,
  name          text   NOT NULL,
  type          text   NOT NULL,
  tenant        text   NOT NULL,
  due_at        bigint NOT NULL,
  every_ms      bigint,
  payload       jsonb,
  generation    bigint NOT NULL DEFAULT 1,
  claimed_until bigint,
  claimed_by    text,
  PRIMARY KEY (actor, name)
);
CREATE INDEX reminders_due ON reminders (due_at);

CREATE TABLE outbox (
  id            bigserial PRIMARY KEY,
  tenant        text   NOT NULL,
  actor         text   NOT NULL,
  type          text   NOT NULL,
  channel       text   NOT NULL,
  key           text   NOT NULL,         -- idempotency key, unique per tenant
  payload       jsonb  NOT NULL,
  status        text   NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'claimed', 'done', 'dead')),
  attempts      int    NOT NULL DEFAULT 0,
  max_attempts  int    NOT NULL,
  next_at       bigint NOT NULL,
  claimed_until bigint,
  claim_token   text,
  last_error    text,
  result        jsonb,
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant, key)
);
CREATE INDEX outbox_due ON outbox (next_at) WHERE status IN ('pending', 'claimed');
