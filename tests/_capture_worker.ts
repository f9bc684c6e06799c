/**
 * A second process for the dedupe test: captures the same people as its twin
 * at the same moment against the same Postgres, printing one JSON line per
 * capture. Until cluster placement exists, two nodes may both activate a lead;
 * the loser of the fencing race gets `fenced` and retries, which is safe
 * because captures are idempotent.
 *
 * Args: <database url> <schema> <start at, epoch ms> <people> <worker name>
 *
 * @module
 */
import { captureLead, lead, leadMigrations } from "../actors/lead/mod.ts";
import { ActorSystem, openDatabase } from "../actors/runtime/mod.ts";
import { CoveError } from "../shared/errors.ts";

const [url, schema, startAt, people, worker] = Deno.args;
const db = await openDatabase({
  url: url!,
  schema: schema!,
  max: 4,
  migrations: await leadMigrations(),
});
const system = new ActorSystem({ database: db, types: [lead], nodeId: worker! });

await new Promise((r) => setTimeout(r, Math.max(0, Number(startAt) - Date.now())));
const out: string[] = [];
await Promise.all(Array.from({ length: Number(people) }, async (_, i) => {
  // The twins describe each person differently: by email here, by phone and email there.
  const contact = worker === "a"
    ? { name: `Person ${i}`, email: `person${i}@example.com` }
    : { email: `PERSON${i}@example.com`, phone: `+1415555${String(1000 + i)}` };
  for (let attempt = 1;; attempt++) {
    try {
      const r = await captureLead(system, "race", {
        idempotencyKey: `${worker}-${i}`,
        source: "rest",
        contact,
      });
      out.push(JSON.stringify({ i, leadId: r.leadId, outcome: r.outcome, attempt }));
      return;
    } catch (e) {
      if (!(e instanceof CoveError && e.code === "fenced") || attempt >= 20) throw e;
    }
  }
}));
console.log(out.join("\n"));
await system.shutdown();
await db.close();
