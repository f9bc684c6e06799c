/**
 * Crash safety: a process killed with SIGKILL mid-load restarts with exactly
 * the committed events — no partial turn, nothing acknowledged missing.
 *
 * `_crash_worker.ts` runs a concurrent load of multi-event turns and prints
 * one `ACK` line per acknowledged turn; this test kills it once enough acks
 * are out, opens the same database and checks the journal and recovery.
 * Events committed but not acknowledged before the kill are allowed.
 *
 * The embedded case exercises a process kill only: PGlite runs with fsync
 * off, which survives that but not an OS crash.
 *
 * @module
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { newId } from "../shared/ids.ts";
import {
  ActorSystem,
  type Database,
  Journal,
  openDatabase,
  type OpenOptions,
  type StoredEvent,
  type StreamEvent,
} from "../actors/runtime/mod.ts";
import { ledger, logEntry } from "./_crash_worker.ts";
import { waitForSessionsToEnd } from "./_killed_sessions.ts";

const WORKER = new URL("./_crash_worker.ts", import.meta.url);
const CONFIG_PATH = decodeURIComponent(new URL("../deno.json", import.meta.url).pathname);
/** Acknowledged turns to wait for before the kill. */
const MIN_ACKS = 300;
/**
 * Bound on the worker's start plus reaching MIN_ACKS. Alone that takes ~4 s (mostly PGlite
 * creating its data dir); four runs at once on 2 cores took ~30 s.
 */
const ACK_TIMEOUT_MS = 120_000;

/** One acknowledged turn, as the worker printed it. */
interface Ack {
  key: string;
  turn: string;
  parts: number;
  /** The actor's seq after the turn (the ask's reply). */
  seq: number;
}

interface PartEvent {
  turn: string;
  part: number;
  of: number;
}

/** Where the worker and the test meet. */
interface Target {
  /** Worker arguments naming the database. */
  args: string[];
  /** Extra environment of the worker. */
  env?: Record<string, string>;
  /** Waits, after the kill, until nothing the worker started can still commit. */
  settle?: () => Promise<void>;
  /** Opens the database in this process. */
  open: OpenOptions;
}

Deno.test("crash: SIGKILL mid-load, embedded PGlite (data dir) restarts with exactly the committed events", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cove-crash-" });
  try {
    const dataDir = `${dir}/pg`;
    // The database lives in the worker process: the kill stops it outright.
    await crashAndVerify({ args: ["--data-dir", dataDir], open: { dataDir } });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const url = Deno.env.get("TEST_DATABASE_URL");
const pgName = "crash: SIGKILL mid-load, Postgres restarts with exactly the committed events";
if (url) {
  Deno.test(pgName, async () => {
    const schema = `crash_${newId()}`;
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    try {
      await crashAndVerify({
        args: ["--url", url, "--schema", schema],
        // Names the worker's sessions, to wait for them to end after the kill.
        env: { PGAPPNAME: schema },
        // A COMMIT the worker sent just before dying may still land: wait until the server
        // has closed the worker's sessions, so the journal no longer changes under the checks.
        settle: () => waitForSessionsToEnd(admin, schema),
        open: { url, schema, max: 4 },
      });
    } finally {
      try {
        await admin.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await admin.end();
      }
    }
  });
} else {
  Deno.test({ name: `${pgName} (skipped: TEST_DATABASE_URL not set)`, ignore: true, fn() {} });
}

async function crashAndVerify(target: Target): Promise<void> {
  const acks = await runAndKill(target.args, target.env ?? {});
  await target.settle?.();
  const db = await openDatabase(target.open);
  try {
    const before = await checkJournal(db, acks);
    await checkRecoveryAndContinue(db, before);
  } finally {
    await db.close();
  }
}

/**
 * Runs the worker until it has acknowledged MIN_ACKS turns, kills it with
 * SIGKILL and returns every ack it printed (including lines still in the pipe).
 */
async function runAndKill(args: string[], env: Record<string, string>): Promise<Ack[]> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--config", CONFIG_PATH, WORKER.href, ...args],
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const acks: Ack[] = [];
  let buffered = "";
  let eof = false;
  let killed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const kill = () => {
    if (killed) return;
    killed = true;
    try {
      child.kill("SIGKILL");
    } catch {
      // Already exited.
    }
  };
  /** Reads one chunk and parses the complete lines in it; false at EOF. */
  const readChunk = async (): Promise<boolean> => {
    const { value, done } = await reader.read();
    if (done) return false;
    buffered += value;
    const lines = buffered.split("\n");
    buffered = lines.pop()!; // an unterminated line is not an ack (yet)
    for (const line of lines) {
      const m = /^ACK (\S+) (\S+) (\d+) (\d+)$/.exec(line);
      if (!m) throw new Error(`unexpected line from the crash worker: ${JSON.stringify(line)}`);
      acks.push({ key: m[1]!, turn: m[2]!, parts: Number(m[3]), seq: Number(m[4]) });
    }
    return true;
  };
  try {
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), ACK_TIMEOUT_MS);
    });
    while (acks.length < MIN_ACKS) {
      const more = await Promise.race([readChunk(), timedOut]);
      if (more === "timeout") {
        kill();
        throw new Error(
          `the crash worker acknowledged ${acks.length} of ${MIN_ACKS} turns in ${ACK_TIMEOUT_MS} ms`,
        );
      }
      if (!more) {
        eof = true;
        const status = await child.status;
        throw new Error(
          `the crash worker exited (code ${status.code}, signal ${status.signal}) after ` +
            `${acks.length} of ${MIN_ACKS} acks; see its stderr above`,
        );
      }
    }
    clearTimeout(timer);
    kill();
    // Lines printed before the kill are still in the pipe: they are acks too.
    while (await readChunk());
    eof = true;
    const status = await child.status;
    assert.equal(status.signal, "SIGKILL", `worker ended with ${JSON.stringify(status)}`);
    assert.equal(status.success, false);
    return acks;
  } finally {
    clearTimeout(timer);
    kill();
    if (!eof) await reader.cancel().catch(() => {});
    await child.status;
  }
}

/** What the journal held after the crash, once checked. */
interface Checked {
  /** Actor key → its events in seq order. */
  events: Map<string, StoredEvent[]>;
  /** Tenant → last stream position. */
  positions: Map<string, number>;
}

/** Reads the whole journal and checks it against the acks; returns what it read. */
async function checkJournal(db: Database, acks: Ack[]): Promise<Checked> {
  const journal = new Journal(db.sql);
  const actorRows = await db.sql<{ key: string; tenant: string; seq: number }[]>`
    SELECT key, tenant, seq FROM actors ORDER BY key`;
  const streamRows = await db.sql<{ tenant: string; position: number }[]>`
    SELECT tenant, position FROM streams ORDER BY tenant`;
  const [{ count: totalEvents }] = await db.sql<[{ count: number }]>`
    SELECT count(*)::int AS count FROM events`;
  assert.ok(actorRows.length > 0, "no actor survived the crash");

  // (3) Per actor: seqs are exactly 1..n, and n is the actor's committed seq.
  const events = new Map<string, StoredEvent[]>();
  for (const a of actorRows) {
    // A plain array (the driver's result list has its own prototype).
    const list = [...await journal.readEvents(a.key)];
    assert.deepEqual(
      list.map((e) => e.seq),
      Array.from({ length: list.length }, (_, i) => i + 1),
      `${a.key}: seqs are not 1..${list.length}`,
    );
    assert.equal(a.seq, list.length, `${a.key}: actors.seq ${a.seq} but ${list.length} events`);
    events.set(a.key, list);
  }

  // (4) Per tenant: positions are exactly 1..m (unique, no gaps), m is the stream's high mark,
  // and the streams hold every event once.
  const positions = new Map<string, number>();
  const turns = new Map<string, Array<StreamEvent & { data: PartEvent }>>();
  let streamed = 0;
  for (const { tenant, position: high } of streamRows) {
    const stream = await readWholeStream(journal, tenant);
    assert.deepEqual(
      stream.map((e) => e.position),
      Array.from({ length: stream.length }, (_, i) => i + 1),
      `${tenant}: stream positions are not 1..${stream.length}`,
    );
    assert.equal(
      high,
      stream.length,
      `${tenant}: stream high mark ${high}, ${stream.length} events`,
    );
    positions.set(tenant, high);
    streamed += stream.length;
    for (const e of stream) {
      const data = e.data as PartEvent;
      turns.set(data.turn, [...turns.get(data.turn) ?? [], { ...e, data }]);
    }
  }
  assert.equal(streamed, totalEvents, "the tenants' streams do not hold every event");
  for (const a of actorRows) {
    if (events.get(a.key)!.length > 0) {
      assert.ok(positions.has(a.tenant), `${a.key} has events but ${a.tenant} has no stream`);
    }
  }

  // (2) No partial turn: every turn in the journal has all its parts, once, in one run of
  // consecutive seqs and positions of one actor.
  for (const [turn, list] of turns) {
    const first = list[0]!;
    const where = `turn ${turn} of ${first.actor}`;
    assert.deepEqual(
      list.map((e) => [e.actor, e.data.part, e.data.of, e.seq, e.position]),
      Array.from(
        { length: first.data.of },
        (_, k) => [first.actor, k, first.data.of, first.seq + k, first.position + k],
      ),
      `${where} is partial or split: ${JSON.stringify(list.map((e) => e.data))}`,
    );
  }

  // (1) Nothing acknowledged is missing: each acked turn is journaled whole, on its actor,
  // ending at the seq the ask replied.
  const ackedTurns = new Set<string>();
  for (const ack of acks) {
    assert.ok(!ackedTurns.has(ack.turn), `turn ${ack.turn} acknowledged twice`);
    ackedTurns.add(ack.turn);
    const list = turns.get(ack.turn);
    assert.ok(list, `acknowledged turn ${ack.turn} on ${ack.key} is missing from the journal`);
    assert.equal(list[0]!.actor, ack.key, `turn ${ack.turn} journaled on another actor`);
    assert.deepEqual(
      list.map((e) => e.seq),
      Array.from({ length: ack.parts }, (_, k) => ack.seq - ack.parts + k + 1),
      `acknowledged turn ${ack.turn} is not at the seqs its reply announced`,
    );
  }
  if (acks.length === 0) return { events, positions };
  console.log(
    `  ${acks.length} acknowledged turns, ${turns.size} journaled ` +
      `(${turns.size - ackedTurns.size} committed without a printed ack), ` +
      `${totalEvents} events over ${actorRows.length} actors`,
  );
  return { events, positions };
}

async function readWholeStream(journal: Journal, tenant: string): Promise<StreamEvent[]> {
  const all: StreamEvent[] = [];
  for (;;) {
    const page = await journal.readStream(tenant, all.at(-1)?.position ?? 0, 500);
    all.push(...page);
    if (page.length < 500) return all;
  }
}

/** The state a ledger must recover to: the fold of its journaled events. */
function fold(events: StoredEvent[]): { seq: number; log: string[] } {
  return {
    seq: events.at(-1)?.seq ?? 0,
    log: events.map((e) => logEntry(e.data as PartEvent)),
  };
}

function addressOf(key: string): { tenant: string; id: string } {
  const [type, tenant, id] = key.split("/");
  assert.equal(type, ledger.type, `unexpected actor ${key}`);
  return { tenant: tenant!, id: id! };
}

/**
 * (5) A fresh system recovers every actor to the fold of its journal; (6) it
 * accepts new turns that continue each actor's seq and each tenant's stream;
 * a second restart recovers those too.
 */
async function checkRecoveryAndContinue(db: Database, before: Checked): Promise<void> {
  const system = new ActorSystem({ database: db, types: [ledger], askTimeout: 60_000 });
  try {
    for (const [key, list] of before.events) {
      const { tenant, id } = addressOf(key);
      const state = await system.ref(ledger, tenant, id).query("state");
      assert.deepEqual(state, fold(list), `${key} did not recover to the fold of its events`);
    }
    await Promise.all([...before.events.keys()].map(async (key, i) => {
      const { tenant, id } = addressOf(key);
      const seq = await system.ref(ledger, tenant, id).ask("record", {
        turn: `after-${i}`,
        parts: 2,
      });
      assert.equal(seq, before.events.get(key)!.length + 2, `${key} did not continue its seq`);
    }));
  } finally {
    await system.shutdown();
  }

  const after = await checkJournal(db, []);
  const added = new Map<string, number>();
  [...before.events.keys()].forEach((key, i) => {
    const old = before.events.get(key)!;
    const now = after.events.get(key)!;
    assert.deepEqual(now.slice(0, old.length), old, `${key}: committed events changed`);
    assert.deepEqual(
      now.slice(old.length).map((e) => [e.seq, e.data]),
      [0, 1].map((part) => [old.length + part + 1, { turn: `after-${i}`, part, of: 2 }]),
      `${key}: the new turn does not follow the recovered events`,
    );
    const { tenant } = addressOf(key);
    added.set(tenant, (added.get(tenant) ?? 0) + 2);
  });
  for (const [tenant, n] of added) {
    assert.equal(
      after.positions.get(tenant),
      (before.positions.get(tenant) ?? 0) + n,
      `${tenant}: new events did not continue the stream`,
    );
  }

  const again = new ActorSystem({ database: db, types: [ledger] });
  try {
    for (const [key, list] of after.events) {
      const { tenant, id } = addressOf(key);
      const state = await again.ref(ledger, tenant, id).query("state");
      assert.deepEqual(state, fold(list), `${key} did not recover after the continuation`);
    }
  } finally {
    await again.shutdown();
  }
}
