/**
 * No message lost and none sent twice when the dispatcher process is killed
 * mid-send and restarted.
 *
 * The test process seeds N SMS outbox rows and runs a fake Twilio that
 * honours the idempotency token as Twilio does: a repeated token gets the
 * same message resource back and is not a second delivery. It starts
 * `_dispatch_worker.ts`, kills it with SIGKILL the moment a request arrives
 * once a third of the messages were delivered (so that request, and the
 * others in flight, were taken by the provider but never answered), starts a
 * second worker and kills it the same way at two thirds, then lets a third
 * drain the outbox. Every row must end `done`, every message delivered once,
 * and the send log must hold the provider's id of that one delivery.
 *
 * A provider that cannot deduplicate is the other half of the rule: a message
 * caught in flight must end `dead` with a reason that says so, never be sent
 * again.
 *
 * @module
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { newId } from "../shared/ids.ts";
import { type Database, openDatabase, type OpenOptions } from "../actors/runtime/mod.ts";
import { leadMigrations } from "../actors/lead/mod.ts";
import {
  channelMigrations,
  type FakeTwilio,
  startFakeTwilio,
  twilioMessage,
} from "../actors/channels/mod.ts";
import { BATCH, smsSender } from "./_dispatch_worker.ts";
import { waitForSessionsToEnd } from "./_killed_sessions.ts";

const WORKER = new URL("./_dispatch_worker.ts", import.meta.url);
const CONFIG_PATH = decodeURIComponent(new URL("../deno.json", import.meta.url).pathname);
/** Messages enqueued. */
const N = 200;
/** Bound on one worker's start plus its share of the sends (PGlite starts in ~2-4 s). */
const RUN_TIMEOUT_MS = 60_000;
const TENANT = "t1";

/** Where the workers and the test meet. */
interface Target {
  /** Worker arguments naming the database. */
  args: string[];
  /** Extra environment of the workers. */
  env?: Record<string, string>;
  /** Waits, after a kill, until nothing the worker started can still commit. */
  settle?: () => Promise<void>;
  /** Opens the database in this process (only while no worker runs, for PGlite). */
  open: OpenOptions;
}

/** A fake Twilio that deduplicates on the idempotency token and counts per token. */
interface DedupingTwilio {
  fake: FakeTwilio;
  /** Token → the sid of its one delivery. */
  delivered: Map<string, string>;
  /** Token → requests received (a delivery plus its deduplicated repeats). */
  requests: Map<string, number>;
  /** Called on every request, before the answer (which waits 20-50 ms). */
  onRequest: () => void;
}

function startDedupingTwilio(): DedupingTwilio {
  const resources = new Map<string, Record<string, unknown>>();
  const t: DedupingTwilio = {
    delivered: new Map(),
    requests: new Map(),
    onRequest: () => {},
    fake: startFakeTwilio({
      reply(req) {
        const token = req.headers["i-twilio-idempotency-token"] ?? "";
        t.requests.set(token, (t.requests.get(token) ?? 0) + 1);
        let body = resources.get(token);
        if (!body || !token) {
          body = twilioMessage(req);
          resources.set(token, body);
          t.delivered.set(token, body.sid as string);
        } else {
          assert.equal(body.to, req.params.To, `token ${token} repeated for another recipient`);
        }
        t.onRequest();
        return { status: 201, body, delayMs: 20 + Math.floor(Math.random() * 31) };
      },
    }),
  };
  return t;
}

Deno.test("dispatch crash: SIGKILL mid-send twice, embedded PGlite (data dir): every SMS delivered once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cove-dispatch-crash-" });
  try {
    const dataDir = `${dir}/pg`;
    await killTwiceAndVerify({ args: ["--data-dir", dataDir], open: { dataDir } });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const url = Deno.env.get("TEST_DATABASE_URL");
const pgCases = [
  {
    name: "dispatch crash: SIGKILL mid-send twice, Postgres: every SMS delivered once",
    run: killTwiceAndVerify,
  },
  {
    name:
      "dispatch crash: SIGKILL mid-send, Postgres, provider without dedupe: in-flight messages dead-lettered, none sent twice",
    run: killOnceWithoutDedupe,
  },
];
for (const c of pgCases) {
  if (!url) {
    Deno.test({ name: `${c.name} (skipped: TEST_DATABASE_URL not set)`, ignore: true, fn() {} });
    continue;
  }
  Deno.test(c.name, async () => {
    const schema = `dispatch_${newId()}`;
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    try {
      await c.run({
        args: ["--url", url, "--schema", schema],
        // Names the workers' sessions, to wait for a killed one's to end.
        env: { PGAPPNAME: schema },
        settle: () => waitForSessionsToEnd(admin, schema),
        open: { url, schema, max: 2 },
      });
    } finally {
      try {
        await admin.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await admin.end();
      }
    }
  });
}

async function openTarget(target: Target): Promise<Database> {
  return await openDatabase({
    ...target.open,
    migrations: [...await leadMigrations(), ...await channelMigrations()],
  });
}

/** Enqueues N SMS rows, due now, spread over ten sender actors. */
async function seed(target: Target): Promise<void> {
  const db = await openTarget(target);
  try {
    const ids = Array.from({ length: N }, (_, i) => i);
    await db.sql`
      INSERT INTO outbox (tenant, actor, type, channel, key, payload, max_attempts, next_at)
      SELECT ${TENANT}, ${`${smsSender.type}/${TENANT}/s`} || (i % 10), ${smsSender.type}, 'sms',
             'sms-' || i,
             jsonb_build_object('to', '+1415555' || lpad(i::text, 4, '0'),
                                'body', 'Hi, this is message ' || i || ' from Cove.'),
             8, 0
      FROM unnest(${ids}::int[]) AS u(i)`;
  } finally {
    await db.close();
  }
}

/** Kills a worker once `delivered` messages went out; returns after it ended and settled. */
async function runAndKill(
  target: Target,
  twilio: DedupingTwilio,
  delivered: number,
  extra: string[] = [],
): Promise<void> {
  const child = spawnWorker(target, twilio, extra);
  let killed = false;
  const kill = () => {
    if (killed) return;
    killed = true;
    try {
      child.kill("SIGKILL");
    } catch {
      // Already exited.
    }
  };
  // Killed from inside the fake's handler: this request and the others in flight were taken
  // by the provider, and the worker never sees their answers.
  twilio.onRequest = () => {
    if (twilio.delivered.size >= delivered) kill();
  };
  const timer = setTimeout(kill, RUN_TIMEOUT_MS);
  try {
    const status = await child.status;
    assert.equal(
      status.signal,
      "SIGKILL",
      `the worker ended with ${JSON.stringify(status)} after ${twilio.delivered.size} of ` +
        `${delivered} deliveries; see its stderr above`,
    );
    assert.ok(
      twilio.delivered.size >= delivered,
      `the worker was killed after ${RUN_TIMEOUT_MS} ms with only ${twilio.delivered.size} ` +
        `of ${delivered} deliveries`,
    );
  } finally {
    clearTimeout(timer);
    twilio.onRequest = () => {};
    kill();
    await child.status;
  }
  await target.settle?.();
}

/** Runs a worker until it drained the outbox and exited. */
async function runToEnd(target: Target, twilio: DedupingTwilio, extra: string[] = []) {
  const child = spawnWorker(target, twilio, [...extra, "--until-drained"]);
  const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
  try {
    const status = await child.status;
    assert.equal(status.success, true, `the last worker ended with ${JSON.stringify(status)}`);
  } finally {
    clearTimeout(timer);
  }
}

function spawnWorker(target: Target, twilio: DedupingTwilio, extra: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      "--config",
      CONFIG_PATH,
      WORKER.href,
      "--twilio",
      twilio.fake.baseUrl,
      ...target.args,
      ...extra,
    ],
    env: target.env ?? {},
    stdin: "null",
    stdout: "null",
    stderr: "inherit",
  }).spawn();
}

interface Outcome {
  rows: { key: string; status: string; last_error: string | null }[];
  sends: Map<string, { state: string; provider_id: string | null }>;
}

async function readOutcome(target: Target): Promise<Outcome> {
  const db = await openTarget(target);
  try {
    const rows = await db.sql<Outcome["rows"]>`
      SELECT key, status, last_error FROM outbox WHERE channel = 'sms' ORDER BY id`;
    const sends = await db.sql<{ key: string; state: string; provider_id: string | null }[]>`
      SELECT key, state, provider_id FROM message_sends WHERE tenant = ${TENANT}`;
    return { rows: [...rows], sends: new Map(sends.map((s) => [s.key, s])) };
  } finally {
    await db.close();
  }
}

async function killTwiceAndVerify(target: Target): Promise<void> {
  await seed(target);
  const twilio = startDedupingTwilio();
  try {
    await runAndKill(target, twilio, Math.ceil(N / 3));
    await runAndKill(target, twilio, Math.ceil((2 * N) / 3));
    await runToEnd(target, twilio);
  } finally {
    await twilio.fake.close();
  }
  const { rows, sends } = await readOutcome(target);
  assert.equal(rows.length, N);
  const unfinished = rows.filter((r) => r.status !== "done");
  assert.deepEqual(unfinished, [], "messages not done (lost or dead)");
  const repeats = [...twilio.requests.values()].reduce((a, n) => a + n - 1, 0);
  for (const r of rows) {
    const token = `${TENANT}/${r.key}`;
    assert.ok(twilio.delivered.has(token), `${r.key} done but never reached the provider`);
    const send = sends.get(r.key);
    assert.equal(send?.state, "sent", `${r.key}: message_sends ${JSON.stringify(send)}`);
    assert.equal(
      send!.provider_id,
      twilio.delivered.get(token),
      `${r.key}: the send log holds another message than the one delivered`,
    );
  }
  assert.equal(twilio.delivered.size, N, "deliveries to unknown tokens");
  // Each kill caught at least the request that triggered it in flight; only messages in flight
  // at a kill are resent, and one worker has at most a batch in flight.
  assert.ok(repeats >= 2, `${repeats} repeated tokens: no kill landed mid-send`);
  assert.ok(repeats <= 2 * BATCH, `${repeats} repeated tokens for 2 kills of ${BATCH} in flight`);
  console.log(`  ${N} delivered once each; ${repeats} resends deduplicated by the token`);
}

async function killOnceWithoutDedupe(target: Target): Promise<void> {
  await seed(target);
  const twilio = startDedupingTwilio();
  try {
    await runAndKill(target, twilio, Math.ceil(N / 2), ["--no-dedupe"]);
    await runToEnd(target, twilio, ["--no-dedupe"]);
  } finally {
    await twilio.fake.close();
  }
  const { rows, sends } = await readOutcome(target);
  assert.equal(rows.length, N);
  const resent = [...twilio.requests].filter(([, n]) => n > 1);
  assert.deepEqual(resent, [], "tokens sent more than once to a provider that cannot dedupe");
  const dead = rows.filter((r) => r.status === "dead");
  for (const r of rows) {
    const send = sends.get(r.key);
    if (r.status === "done") {
      assert.equal(send?.state, "sent", `${r.key}: message_sends ${JSON.stringify(send)}`);
      assert.equal(send!.provider_id, twilio.delivered.get(`${TENANT}/${r.key}`));
    } else {
      assert.equal(r.status, "dead", `${r.key} ended ${r.status}`);
      assert.match(r.last_error ?? "", /may have reached the provider/);
      assert.equal(send?.state, "sending", `${r.key}: dead without the in-flight mark`);
    }
  }
  // The request that triggered the kill was taken and never answered.
  assert.ok(dead.length >= 1, "no kill landed mid-send");
  assert.ok(dead.length <= BATCH, `${dead.length} dead: more than a batch was in flight`);
  console.log(`  ${N - dead.length} delivered once, ${dead.length} in flight dead-lettered`);
}
