/**
 * `deno task start`: runs one Cove node until SIGINT or SIGTERM. Everything
 * but the process itself (configuration errors, signals, exit codes) lives in
 * `node.ts`.
 *
 * @module
 */
import { type CoveNode, startCove } from "./node.ts";
import { type Config, ConfigError, loadConfig } from "./shared/mod.ts";

let config: Config;
try {
  config = loadConfig(Deno.env.toObject());
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  console.error(e.message);
  Deno.exit(1);
}

const starting: Promise<CoveNode> = startCove(config);
let signalledAt: number | undefined;

function onSignal(signal: Deno.Signal): void {
  if (signalledAt !== undefined) {
    // Ctrl-C under `deno task` arrives twice (from the terminal and forwarded
    // by the task runner) within milliseconds; that is still the first signal.
    if (Date.now() - signalledAt < 300) return;
    // A second signal means "now": skip the graceful path.
    console.error(`cove: second ${signal}; exiting without finishing shutdown`);
    Deno.exit(1);
  }
  signalledAt = Date.now();
  console.log(`cove: ${signal} received; shutting down`);
  // A signal during start-up waits for the start to finish, then stops cleanly.
  starting.then((node) => node.stop()).then(
    () => {
      console.log("cove: stopped");
      Deno.exit(0);
    },
    (e) => {
      console.error("cove: shutdown failed:", e);
      Deno.exit(1);
    },
  );
}

Deno.addSignalListener("SIGINT", () => onSignal("SIGINT"));
// Windows has no SIGTERM.
if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", () => onSignal("SIGTERM"));

try {
  await starting;
} catch (e) {
  console.error("cove: start-up failed:", e instanceof Error ? e.message : e);
  Deno.exit(1);
}
