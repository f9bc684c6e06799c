/**
 * The SMS dispatcher process of `dispatch_crash_test.ts`, run as a
 * subprocess that the test kills with SIGKILL mid-send and starts again.
 *
 * ```sh
 * deno run --allow-all tests/_dispatch_worker.ts --twilio URL --data-dir DIR        # PGlite
 * deno run --allow-all tests/_dispatch_worker.ts --twilio URL --url URL --schema S  # Postgres
 * ```
 *
 * It opens the database, assembles the production path (OutboxWorker →
 * GuardedDispatcher with a breaker → ChannelDispatcher → the real twilio SDK
 * pointed at `--twilio`) and ticks until killed. With `--until-drained` it
 * exits 0 once no `sms` row is left pending or claimed, printing `DRAINED`,
 * so the test can then open a PGlite data dir that only one process may hold.
 * `--no-dedupe` tells the dispatcher the provider cannot deduplicate.
 *
 * Importing this module (for {@link smsSender} and the constants) runs nothing.
 *
 * @module
 */
import { z } from "zod";
import { ActorSystem, defineActor, openDatabase, OutboxWorker } from "../actors/runtime/mod.ts";
import { leadMigrations } from "../actors/lead/mod.ts";
import {
  ChannelDispatcher,
  channelMigrations,
  CircuitBreaker,
  createTwilioProvider,
  GuardedDispatcher,
} from "../actors/channels/mod.ts";
import type { Clock } from "../shared/clock.ts";

/** The account SID the worker sends as; the fake accepts any. */
export const ACCOUNT_SID = "AC" + "0".repeat(32);
/** Rows one tick claims: the most a kill can catch in flight. */
export const BATCH = 20;
/** How long a claim of a killed worker blocks its rows. */
export const LEASE_MS = 2_000;

/**
 * The actor the test's outbox rows name as their origin: it only takes the
 * results (the outbox row completes in its commit) and keeps nothing.
 */
export const smsSender = defineActor("sms_sender", {
  state: z.object({}),
  initial: () => ({}),
}).query("state", (s) => s);

/**
 * Midday in New York, for compliance only: the messages carry no lead, so the
 * send window applies in the policy's default zone, and the test must not
 * depend on the hour it runs. Claims and leases use the real clock.
 */
export const MIDDAY_NEW_YORK: Clock = { now: () => Date.parse("2026-06-01T16:00:00Z") };

function arg(name: string): string | undefined {
  const i = Deno.args.indexOf(name);
  return i >= 0 ? Deno.args[i + 1] : undefined;
}

async function main(): Promise<void> {
  const dataDir = arg("--data-dir");
  const url = arg("--url");
  const schema = arg("--schema");
  const twilioUrl = arg("--twilio");
  if (!twilioUrl || (!dataDir && !(url && schema))) {
    throw new Error(
      "usage: _dispatch_worker.ts --twilio URL (--data-dir DIR | --url URL --schema NAME)",
    );
  }
  const migrations = [...await leadMigrations(), ...await channelMigrations()];
  const database = await openDatabase(
    url ? { url, schema: schema!, max: 4, migrations } : { dataDir: dataDir!, migrations },
  );
  const system = new ActorSystem({ database, types: [smsSender], askTimeout: 60_000 });
  const provider = createTwilioProvider({
    accountSid: ACCOUNT_SID,
    authToken: "secret-token",
    from: "+14155550000",
    baseUrl: twilioUrl,
    timeoutMs: 10_000,
  });
  const dispatcher = new ChannelDispatcher({
    channel: "sms",
    provider,
    sql: database.sql,
    clock: MIDDAY_NEW_YORK,
    providerDedupes: !Deno.args.includes("--no-dedupe"),
  });
  const guarded = new GuardedDispatcher(dispatcher, {
    clock: system.clock,
    breaker: new CircuitBreaker("twilio", { failureThreshold: 50, openMs: 1_000 }),
  });
  const worker = new OutboxWorker(system, [guarded], {
    batch: BATCH,
    leaseMs: LEASE_MS,
    backoffBaseMs: 100,
    backoffMaxMs: 500,
  });
  const untilDrained = Deno.args.includes("--until-drained");
  for (;;) {
    const claimed = await worker.tick();
    if (claimed > 0) continue;
    if (untilDrained) {
      const [open] = await database.sql<{ n: number }[]>`
        SELECT count(*)::int AS n FROM outbox
        WHERE channel = 'sms' AND status IN ('pending', 'claimed')`;
      if (open!.n === 0) break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await system.shutdown();
  await database.close();
  console.log("DRAINED");
}

if (import.meta.main) {
  main().catch((e) => {
    console.error("dispatch worker failed:", e);
    Deno.exit(1);
  });
}
