-- The dead-letter list reads a tenant's dead rows; without this it would
-- scan every completed message of the tenant.
CREATE INDEX outbox_dead ON outbox (tenant, id) WHERE status = 'dead';
