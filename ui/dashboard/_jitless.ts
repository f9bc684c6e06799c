/**
 * Imported first by the dashboard's entry, before any schema is built or
 * parsed: zod probes `new Function` to compile fast parsers, the shell's CSP
 * forbids eval, and the probe would be reported as a violation. Frames are
 * small: zod's interpreter is fast enough.
 *
 * @module
 */
import { z } from "zod";

z.config({ jitless: true });
