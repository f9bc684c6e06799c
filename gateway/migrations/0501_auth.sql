-- Credentials that are not tokens. API keys are stored only as a SHA-256 hash
-- of the key, so a leaked table does not leak a working key; site keys are
-- public by design (they sit in a page's HTML), so they are stored as they are.

CREATE TABLE api_keys (
  tenant     text        NOT NULL,
  id         text        NOT NULL,
  hash       text        NOT NULL UNIQUE,   -- hex SHA-256 of the whole key
  role       text        NOT NULL CHECK (role IN ('admin', 'agent', 'ai', 'widget')),
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,                   -- set once; a revoked key never comes back
  PRIMARY KEY (tenant, id)
);

CREATE TABLE site_keys (
  key             text   PRIMARY KEY,
  tenant          text   NOT NULL,
  allowed_origins text[] NOT NULL           -- exact origins, e.g. https://shop.example.com
);
