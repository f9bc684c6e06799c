import { storageConformance } from "./_store_suite.ts";
import { postgresBackend } from "./_test_fixtures.ts";

// Runs against TEST_DATABASE_URL; reported as skipped, with the reason, without it.
storageConformance(postgresBackend());
