/**
 * Load generator for `crash_test.ts`, run as a subprocess that the test kills
 * with SIGKILL.
 *
 * ```sh
 * deno run --allow-all tests/_crash_worker.ts --data-dir DIR       # embedded PGlite
 * deno run --allow-all tests/_crash_worker.ts --url URL --schema S # real Postgres
 * ```
 *
 * It runs {@link LOOPS} concurrent loops of `ledger.record` asks, each turn
 * emitting 1 to 4 events, and writes one line to stdout per acknowledged turn,
 * only after its ask resolved:
 *
 * ```
 * ACK <actor key> <turn id> <parts> <reply: the actor's seq after the turn>
 * ```
 *
 * It runs until it is killed. Importing this module (for {@link ledger}) runs
 * nothing.
 *
 * @module
 */
import { z } from "zod";
import { ActorSystem, openDatabase } from "../actors/runtime/mod.ts";
import { defineActor } from "../actors/runtime/define.ts";

/** Tenants the load spreads over. */
export const TENANTS = ["t0", "t1", "t2", "t3"];
/** Actors per tenant; loops share them, so turns also queue in mailboxes. */
export const ACTORS_PER_TENANT = 6;
/** Concurrent ask loops. */
export const LOOPS = 32;
/** Most events one turn emits. */
export const MAX_PARTS = 4;

const LedgerState = z.object({ seq: z.number(), log: z.array(z.string()) });

/** How one event appears in a ledger's log. */
export function logEntry(e: { turn: string; part: number; of: number }): string {
  return `${e.turn}#${e.part}/${e.of}`;
}

/**
 * A ledger: `record { turn, parts }` emits `parts` events in one turn, each
 * carrying the turn id, its index and the part count, so a journal reader can
 * tell a whole turn from a partial one. The state is the log of every event
 * and the seq of the last one; the reply is the actor's seq after the turn.
 */
export const ledger = defineActor("ledger", {
  state: LedgerState,
  initial: () => ({ seq: 0, log: [] }),
})
  .event("ledger.part", {
    schema: z.object({
      turn: z.string().min(1),
      part: z.number().int().min(0),
      of: z.number().int().min(1),
    }),
    apply: (s, e, meta) => ({ seq: meta.seq, log: [...s.log, logEntry(e)] }),
  })
  .command("record", {
    input: z.object({ turn: z.string().min(1), parts: z.number().int().min(1).max(16) }),
    handle: (s, cmd) => ({
      events: Array.from({ length: cmd.parts }, (_, part) => ({
        type: "ledger.part" as const,
        data: { turn: cmd.turn, part, of: cmd.parts },
      })),
      reply: s.seq + cmd.parts,
    }),
  })
  .query("state", (s) => s);

const encoder = new TextEncoder();

/** Writes the whole line with blocking writes, so it is out before the next turn is asked. */
function emit(line: string): void {
  const bytes = encoder.encode(`${line}\n`);
  let off = 0;
  while (off < bytes.length) off += Deno.stdout.writeSync(bytes.subarray(off));
}

function arg(name: string): string | undefined {
  const i = Deno.args.indexOf(name);
  return i >= 0 ? Deno.args[i + 1] : undefined;
}

async function main(): Promise<void> {
  const dataDir = arg("--data-dir");
  const url = arg("--url");
  const schema = arg("--schema");
  if (!dataDir && !(url && schema)) {
    throw new Error("usage: _crash_worker.ts (--data-dir DIR | --url URL --schema NAME)");
  }
  const database = await openDatabase(
    url ? { url, schema: schema!, max: 4 } : { dataDir: dataDir! },
  );
  const system = new ActorSystem({
    database,
    types: [ledger],
    // Snapshots every few events, so they are written (and must stay consistent) mid-load.
    snapshotEvery: 5,
    askTimeout: 60_000,
  });
  const refs = TENANTS.flatMap((tenant) =>
    Array.from({ length: ACTORS_PER_TENANT }, (_, i) => system.ref(ledger, tenant, `a${i}`))
  );
  // Never resolves: the parent kills this process.
  await Promise.all(Array.from({ length: LOOPS }, async (_, loop) => {
    for (let n = 0;; n++) {
      const ref = refs[Math.floor(Math.random() * refs.length)]!;
      const turn = `w${loop}-${n}`;
      const parts = 1 + Math.floor(Math.random() * MAX_PARTS);
      try {
        const seq = await ref.ask("record", { turn, parts });
        emit(`ACK ${ref.key} ${turn} ${parts} ${seq}`);
      } catch (e) {
        // Not acknowledged: the turn may or may not be committed; both are allowed.
        console.error(`crash worker: ${turn} on ${ref.key} failed:`, e);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }));
}

if (import.meta.main) {
  main().catch((e) => {
    console.error("crash worker failed:", e);
    Deno.exit(1);
  });
}
