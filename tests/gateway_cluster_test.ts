/**
 * Three gateway processes (`deno run main.ts`) over one real Postgres and
 * one real Redis: an event committed through one node reaches WebSocket and
 * SSE subscribers on the others; a subscriber that misses 1,000 events
 * resumes on another node with each exactly once, in order; a consumer that
 * stops reading is closed with 4008 and its resume position while another
 * subscriber on the same node gets every event; and one client's requests
 * spread over the three nodes count against one rate limit.
 *
 * The nodes share a fresh schema (dropped afterwards) and each step uses a
 * tenant of its own. Requests other than the rate-limit step's carry a
 * token with a subject of their own, so they never meet the (low) limit.
 *
 * @module
 */
import assert from "node:assert/strict";
import { createTokenService } from "../gateway/auth.ts";
import { newId } from "../shared/ids.ts";
import type { ServerFrame } from "../shared/mod.ts";
import {
  type Cluster,
  CLUSTER_JWT_SECRET,
  connectSse,
  connectWs,
  type NodeProcess,
  RawWebSocket,
  serviceUrls,
  startCluster,
  until,
  within,
} from "./_cluster.ts";

/** The rate limit of the cluster's nodes, per client and minute (step d). */
const LIMIT = 20;

const tokens = createTokenService({ secret: CLUSTER_JWT_SECRET });
let subject = 0;

/** An admin token for `tenant`; a new subject each time unless `sub` is given. */
async function token(tenant: string, sub = `writer-${++subject}`): Promise<string> {
  return (await tokens.issue({ sub, tenant, role: "admin" })).accessToken;
}

type EventFrame = Extract<ServerFrame, { type: "event" }>;

/** Captures one lead through `node`'s REST API; returns its id. */
async function capture(
  node: NodeProcess,
  tenant: string,
  key: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const res = await fetch(`${node.url}/v1/leads`, {
    method: "POST",
    headers: { authorization: `Bearer ${await token(tenant)}`, "content-type": "application/json" },
    body: JSON.stringify({
      idempotencyKey: key,
      contact: { name: `Lead ${key}`, email: `${key}@example.com` },
      ...extra,
    }),
  });
  const body = await res.json();
  assert.equal(res.status, 201, `capture ${key} on ${node.nodeId}: ${JSON.stringify(body)}`);
  return body.leadId;
}

/** Runs `count` captures, `parallel` at a time, spread over `nodes` in turn. */
async function captureMany(
  nodes: NodeProcess[],
  tenant: string,
  prefix: string,
  count: number,
  parallel: number,
  extra: Record<string, unknown> = {},
): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < count) {
      const i = next++;
      await capture(nodes[i % nodes.length]!, tenant, `${prefix}${i}`, extra);
    }
  }));
}

/** The tenant's journal after `after`: what every subscriber must see, in this order. */
async function journal(cluster: Cluster, tenant: string, after = 0) {
  const rows = await cluster.sql<{ position: number; actor: string; seq: number; type: string }[]>`
    SELECT position::int AS position, actor, seq::int AS seq, type
    FROM events WHERE tenant = ${tenant} AND position > ${after} ORDER BY position`;
  return rows.map((r) => ({ position: r.position, actor: r.actor, seq: r.seq, type: r.type }));
}

/** An event frame's identity, comparable with a journal row. */
function identity(f: EventFrame) {
  return { position: f.position, actor: f.event.actor, seq: f.event.seq, type: f.event.type };
}

const urls = serviceUrls();
const name = "gateway cluster: 3 node processes, real Postgres and Redis";
if ("skip" in urls) {
  Deno.test({ name: `${name} (skipped: ${urls.skip})`, ignore: true, fn() {} });
} else {
  Deno.test(name, async (t) => {
    const cluster = await startCluster(urls, 3, { RATE_LIMIT_DEFAULT: String(LIMIT) });
    const [a, b, c] = cluster.nodes as [NodeProcess, NodeProcess, NodeProcess];
    try {
      assert.equal(new Set(cluster.nodes.map((n) => n.nodeId)).size, 3);

      await t.step(
        "(a) a lead captured through A reaches a WebSocket on B and SSE on C",
        async () => {
          const tenant = `cl-a-${newId()}`;
          const ws = await connectWs(b.url, await token(tenant));
          const sse = await connectSse(c.url, await token(tenant), "topics=tenant");
          try {
            assert.equal(sse.status, 200);
            ws.subscribe(["tenant"], null);
            await ws.waitFor((f) => f.type === "caught_up", 10_000, "WebSocket caught_up");
            await sse.waitFor((f) => f.type === "caught_up", 10_000, "SSE caught_up");

            const leadId = await capture(a, tenant, "first");
            const actor = `lead/${tenant}/${leadId}`;
            const isCaptured = (f: ServerFrame) =>
              f.type === "event" && f.event.actor === actor && f.event.type === "lead.captured";
            await ws.waitFor(isCaptured, 10_000, "lead.captured on B's WebSocket");
            await sse.waitFor(isCaptured, 10_000, "lead.captured on C's SSE");

            // Both saw exactly the journal, in order, nothing twice.
            const expected = await journal(cluster, tenant);
            assert.ok(expected.length >= 1);
            await until(
              () => ws.events().length >= expected.length && sse.events().length >= expected.length,
              10_000,
              "every committed event on both",
            );
            assert.deepEqual(ws.events().map(identity), expected);
            assert.deepEqual(sse.events().map(identity), expected);
          } finally {
            await ws.close();
            await sse.close();
          }
        },
      );

      await t.step(
        "(b) a subscriber misses 1,000 events and resumes on another node: each once, in order, then live",
        async () => {
          const tenant = `cl-b-${newId()}`;
          const before = await connectWs(b.url, await token(tenant));
          let position: number;
          try {
            before.subscribe(["tenant"], null);
            await before.waitFor((f) => f.type === "caught_up", 10_000, "caught_up on B");
            await captureMany([a], tenant, "early", 3, 3);
            const early = await journal(cluster, tenant);
            await until(() => before.events().length >= early.length, 10_000, "early events on B");
            assert.deepEqual(before.events().map(identity), early);
            position = before.events().at(-1)!.position;
          } finally {
            await before.close();
          }

          // At least 1,000 events committed through A and C while it is away.
          let missed = 0;
          for (let round = 0; missed < 1_000; round++) {
            await captureMany([a, c], tenant, `away${round}-`, Math.ceil((1_000 - missed) / 2), 16);
            missed = (await journal(cluster, tenant, position)).length;
          }
          const gap = await journal(cluster, tenant, position);
          assert.ok(gap.length >= 1_000, `${gap.length} events committed while away`);
          const high = gap.at(-1)!.position;
          console.log(`  resuming from ${position} over ${gap.length} missed events`);

          const after = await connectWs(c.url, await token(tenant));
          try {
            after.subscribe(["tenant"], position);
            const caughtUp = await after.waitFor(
              (f) => f.type === "caught_up",
              60_000,
              "caught_up after resuming on C",
            );
            assert.deepEqual(caughtUp, { type: "caught_up", position: high });
            assert.deepEqual(after.events().map(identity), gap, "the replay is not the journal");

            // Then live: new events through B arrive after the replay, continuing the positions.
            await captureMany([b], tenant, "live", 3, 3);
            const live = await journal(cluster, tenant, high);
            assert.ok(live.length >= 3);
            await until(
              () => after.events().length >= gap.length + live.length,
              10_000,
              "live events after the resume",
            );
            await new Promise((r) => setTimeout(r, 200)); // nothing extra trails in
            assert.deepEqual(after.events().map(identity), [...gap, ...live]);
            const kinds = after.frames.map((f) => f.type).filter((k) => k !== "heartbeat");
            assert.equal(
              kinds.indexOf("caught_up"),
              1 + gap.length,
              "caught_up between replay and live",
            );
          } finally {
            await after.close();
          }
        },
      );

      await t.step(
        "(c) a consumer that stops reading is closed with 4008 and its position; another on the same node gets every event",
        async () => {
          const tenant = `cl-c-${newId()}`;
          const steady = await connectWs(b.url, await token(tenant));
          const slow = await RawWebSocket.connect(b.url);
          try {
            steady.subscribe(["tenant"], null);
            await steady.waitFor((f) => f.type === "caught_up", 10_000, "steady caught_up");
            await slow.sendText(JSON.stringify({ type: "auth", token: await token(tenant) }));
            await slow.sendText(
              JSON.stringify({ type: "subscribe", topics: ["tenant"], from: null }),
            );
            for (const expected of ["ready", "caught_up"]) {
              const f = await within(slow.readFrame(), 10_000, `slow consumer's ${expected}`);
              assert.equal(JSON.parse(new TextDecoder().decode(f!.payload)).type, expected);
            }
            // From here the slow consumer reads nothing. ~60 KB per capture, ~12 MB in all: well past
            // the socket's 1 MiB buffer plus what the kernel's loopback buffers hold.
            const big = {
              message: "m".repeat(5_000),
              customFields: Object.fromEntries(
                Array.from({ length: 55 }, (_, i) => [`field_${i}`, "v".repeat(1_000)]),
              ),
            };
            await captureMany([a, c], tenant, "big", 200, 8, big);
            const all = await journal(cluster, tenant);
            await until(
              () => steady.events().length >= all.length,
              30_000,
              "every event on the steady subscriber",
            );
            assert.deepEqual(steady.events().map(identity), all);
            assert.equal(steady.socket.readyState, WebSocket.OPEN);

            // Now read what the slow one was sent: events in order up to a point, then the close.
            const received: number[] = [];
            let closing: string | undefined;
            let close: { code: number; reason: string } | undefined;
            await within(
              (async () => {
                for (;;) {
                  const f = await slow.readFrame();
                  if (!f) break;
                  if (f.opcode === 0x8) {
                    const view = new DataView(f.payload.buffer, f.payload.byteOffset);
                    close = {
                      code: view.getUint16(0),
                      reason: new TextDecoder().decode(f.payload.subarray(2)),
                    };
                    break;
                  }
                  if (f.opcode !== 0x1) continue;
                  const frame = JSON.parse(new TextDecoder().decode(f.payload)) as ServerFrame;
                  if (frame.type === "event") received.push(frame.position);
                  if (frame.type === "closing") closing = frame.reason;
                }
              })(),
              30_000,
              "reading the slow consumer's socket",
            );
            assert.ok(close, "the slow consumer's socket ended without a close frame");
            assert.equal(close.code, 4008, `closed with ${close.code} ${close.reason}`);
            const m = /^slow consumer; resume from (\d+)$/.exec(close.reason);
            assert.ok(m, `reason does not name a position: ${close.reason}`);
            assert.equal(closing, close.reason, "the closing frame names the same position");
            const resumeFrom = Number(m[1]);
            console.log(
              `  slow consumer closed at position ${resumeFrom} of ${all.at(-1)!.position}; ` +
                `the steady one got all ${steady.events().length}`,
            );
            // Everything up to the named position arrived, once, in order; the rest was cut off.
            assert.deepEqual(received, Array.from({ length: resumeFrom }, (_, i) => i + 1));
            assert.ok(
              resumeFrom < all.at(-1)!.position,
              `closed at ${resumeFrom} of ${all.at(-1)!.position}`,
            );
            // Resuming from the named position (on another node) gets exactly the rest.
            const resumed = await connectWs(c.url, await token(tenant));
            try {
              resumed.subscribe(["tenant"], resumeFrom);
              await resumed.waitFor((f) => f.type === "caught_up", 30_000, "resume after 4008");
              assert.deepEqual(
                resumed.events().map(identity),
                all.filter((e) => e.position > resumeFrom),
              );
            } finally {
              await resumed.close();
            }
            // And over SSE, a replay several times the 1 MiB queue is paced, not cut off.
            const sse = await connectSse(
              a.url,
              await token(tenant),
              `topics=tenant&from=${resumeFrom}`,
            );
            try {
              await sse.waitFor((f) => f.type === "caught_up", 30_000, "SSE resume after 4008");
              assert.deepEqual(
                sse.events().map(identity),
                all.filter((e) => e.position > resumeFrom),
              );
            } finally {
              await sse.close();
            }
          } finally {
            slow.close();
            await steady.close();
          }
        },
      );

      await t.step(
        "(d) one client's requests over A, B and C count against one rate limit",
        async () => {
          const tenant = `cl-d-${newId()}`;
          const bearer = `Bearer ${await token(tenant, "one-client")}`;
          // Windows are whole minutes: start early in one so the requests do not straddle two.
          const intoWindow = Date.now() % 60_000;
          if (intoWindow > 50_000) await new Promise((r) => setTimeout(r, 60_100 - intoWindow));
          const windowAtStart = Math.floor(Date.now() / 60_000);
          const results: { node: string; status: number; retryAfter: string | null }[] = [];
          for (let i = 0; i < LIMIT + 10; i++) {
            const node = cluster.nodes[i % 3]!;
            const res = await fetch(`${node.url}/v1/leads?limit=1`, {
              headers: { authorization: bearer },
            });
            await res.body?.cancel();
            results.push({
              node: node.nodeId,
              status: res.status,
              retryAfter: res.headers.get("retry-after"),
            });
          }
          assert.equal(
            Math.floor(Date.now() / 60_000),
            windowAtStart,
            "the requests took too long",
          );
          const statuses = results.map((r) => r.status);
          assert.deepEqual(
            statuses,
            [...Array(LIMIT).fill(200), ...Array(10).fill(429)],
            JSON.stringify(results),
          );
          // Every node refuses once the shared count is spent, and says when to retry.
          const refusedBy = new Set(results.filter((r) => r.status === 429).map((r) => r.node));
          assert.equal(refusedBy.size, 3);
          for (const r of results.filter((r) => r.status === 429)) {
            assert.ok(Number(r.retryAfter) >= 1 && Number(r.retryAfter) <= 60, `${r.retryAfter}`);
          }
          // Another client of the same tenant has its own count.
          const other = await fetch(`${b.url}/v1/leads?limit=1`, {
            headers: { authorization: `Bearer ${await token(tenant, "another-client")}` },
          });
          await other.body?.cancel();
          assert.equal(other.status, 200);
        },
      );
    } finally {
      await cluster.stop();
      for (const n of cluster.nodes) {
        // A node's own errors would otherwise pass unseen.
        if (/error|failed/i.test(n.output.stderr)) {
          console.error(`${n.nodeId} stderr:\n${n.output.stderr}`);
        }
      }
    }
  });
}
