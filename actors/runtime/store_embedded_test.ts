import { storageConformance } from "./_store_suite.ts";
import { embeddedBackend } from "./_test_fixtures.ts";

storageConformance(embeddedBackend);
