-- Tenants that exist as such (so a first start can tell an empty database from
-- one in use), and one-time codes: admin sign-in codes and stream tickets.
-- Codes are stored only as a SHA-256 hash, like API keys: a leaked table
-- redeems nothing.

CREATE TABLE tenants (
  id         text        PRIMARY KEY,
  name       text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- A database that already had credentials is not empty: its tenants count.
INSERT INTO tenants (id, name)
SELECT tenant, tenant FROM (SELECT tenant FROM site_keys UNION SELECT tenant FROM api_keys) t
ON CONFLICT (id) DO NOTHING;

CREATE TABLE one_time_codes (
  hash       text        PRIMARY KEY,         -- hex SHA-256 of the code
  purpose    text        NOT NULL CHECK (purpose IN ('signin', 'stream')),
  tenant     text        NOT NULL,
  sub        text        NOT NULL,
  role       text        NOT NULL CHECK (role IN ('admin', 'agent', 'ai', 'widget')),
  expires_at timestamptz NOT NULL,
  used_at    timestamptz                       -- set once, by the one redeem that wins
);

CREATE INDEX one_time_codes_expiry ON one_time_codes (expires_at);
