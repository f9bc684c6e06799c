/**
 * The Minerva client against real nodes started in-process: a subscription
 * keeps every event exactly once and in order across a node restart on the
 * same port and data directory and across a cut connection, while events
 * keep being captured; the REST helpers answer typed outcomes and errors,
 * follow the tenant's AI policy and renew an expired token.
 *
 * @module
 */
import assert from "node:assert/strict";
import { createTokenService, tokenSecret } from "../gateway/mod.ts";
import { type CoveNode, startCove } from "../node.ts";
import {
  createMinervaClient,
  loadConfig,
  MinervaApiError,
  type MinervaEvent,
  type Role,
  type StreamStatus,
} from "../shared/mod.ts";
import { until, within } from "./_cluster.ts";

const TENANT = "acme";

function startNode(dataDir: string, port = 0): Promise<CoveNode> {
  return startCove(
    loadConfig({ PORT: String(port), HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "warn" }),
    { log: () => {} },
  );
}

async function tokenFor(dataDir: string, role: Role, sub: string = role): Promise<string> {
  const tokens = createTokenService({ secret: await tokenSecret(dataDir) });
  return (await tokens.issue({ sub, tenant: TENANT, role })).accessToken;
}

/** Captures lead `i` as an admin, retrying while the node is away; the key makes retries one lead. */
async function capture(url: () => string, token: string, i: number): Promise<void> {
  for (let tries = 0;; tries++) {
    try {
      const res = await fetch(`${url()}/v1/leads`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({
          idempotencyKey: `lead-${i}`,
          contact: { email: `p${i}@example.com` },
        }),
      });
      await res.body?.cancel();
      if (res.status < 300) return;
      if (res.status < 500) throw new Error(`capture ${i} answered ${res.status}`);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith("capture")) throw error;
    }
    if (tries > 600) throw new Error(`capture ${i} never got through`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every position of the tenant's stream, read by a fresh subscriber from the start. */
async function referencePositions(baseUrl: string, token: string): Promise<number[]> {
  const client = createMinervaClient({ baseUrl, token });
  const seen: number[] = [];
  let live = -1;
  client.subscribe({
    topics: ["tenant"],
    from: null,
    onEvent: (e) => void seen.push(e.position),
    onStatus: (s) => void (s.state === "live" && (live = s.position)),
  });
  try {
    await until(() => live >= 0, 30_000, "reference subscriber caught up");
    return seen;
  } finally {
    client.close();
  }
}

/** Asserts `events` are exactly positions 1..n of the reference, each once, in order. */
function assertExactlyOnceInOrder(events: MinervaEvent[], reference: number[]): void {
  const positions = events.map((e) => e.position);
  assert.ok(reference.length > 0);
  assert.deepEqual(positions, reference, "every event once, in order");
  const keys = events.map((e) => `${e.actor}#${e.seq}`);
  assert.equal(new Set(keys).size, keys.length, "no event twice");
}

Deno.test("minerva client: a subscription resumes across a node restart on the same port and data dir, every event once and in order", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "cove_minerva_" });
  let node = await startNode(dataDir);
  const port = node.port;
  const url = () => node.url;
  const admin = await tokenFor(dataDir, "admin");
  const minerva = createMinervaClient({
    baseUrl: node.url,
    token: await tokenFor(dataDir, "ai", "minerva"),
    initialDelayMs: 50,
    maxDelayMs: 500,
  });
  const events: MinervaEvent[] = [];
  const statuses: StreamStatus[] = [];
  try {
    const sub = minerva.subscribe({
      topics: ["tenant"],
      from: null,
      onEvent: (e) => void events.push(e),
      onStatus: (s) => void statuses.push(s),
    });
    await until(() => statuses.some((s) => s.state === "live"), 30_000, "first subscription live");

    // Captures run on while the node stops and starts again under them.
    let i = 0;
    const producer = (async () => {
      for (; i < 24; i++) await capture(url, admin, i);
    })();
    await until(() => i >= 8, 60_000, "first captures");
    await node.stop();
    node = await startNode(dataDir, port);
    await within(producer, 120_000, "all captures");

    const reference = await referencePositions(node.url, admin);
    await until(
      () => events.length >= reference.length,
      30_000,
      `resumed subscriber got ${reference.length} events`,
    );
    assertExactlyOnceInOrder(events, reference);
    assert.ok(
      events.filter((e) => e.type === "lead.captured").length === 24,
      "24 captures seen",
    );
    const drop = statuses.find((s) => s.state === "reconnecting");
    assert.ok(drop, "the client reconnected on its own");
    assert.equal(drop.state === "reconnecting" && drop.code, 1001, "closed by the shutdown");
    assert.ok(statuses.filter((s) => s.state === "live").length >= 2, "live again after");
    assert.equal(sub.position, reference.at(-1));
  } finally {
    minerva.close();
    await node.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
});

/** A TCP relay whose connections can be cut at once, as a network drop would. */
function relay(targetPort: number) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = new Set<Deno.Conn>();
  const pipe = async (from: Deno.Conn, to: Deno.Conn) => {
    try {
      await from.readable.pipeTo(to.writable);
    } catch { /* cut */ }
    for (const c of [from, to]) {
      try {
        c.close();
      } catch { /* already closed */ }
      open.delete(c);
    }
  };
  const accepting = (async () => {
    for await (const client of listener) {
      try {
        const server = await Deno.connect({ hostname: "127.0.0.1", port: targetPort });
        open.add(client).add(server);
        void pipe(client, server);
        void pipe(server, client);
      } catch {
        client.close();
      }
    }
  })();
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    cut() {
      for (const c of [...open]) {
        try {
          c.close();
        } catch { /* already closed */ }
        open.delete(c);
      }
    },
    async close() {
      listener.close();
      this.cut();
      await accepting.catch(() => {});
    },
  };
}

Deno.test("minerva client: a cut connection is resumed while captures go on; onEvent sees each event once, in order", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "cove_minerva_" });
  const node = await startNode(dataDir);
  const proxy = relay(node.port);
  const admin = await tokenFor(dataDir, "admin");
  const minerva = createMinervaClient({
    baseUrl: proxy.url,
    token: await tokenFor(dataDir, "ai", "minerva"),
    initialDelayMs: 50,
    maxDelayMs: 200,
  });
  const events: MinervaEvent[] = [];
  const statuses: StreamStatus[] = [];
  try {
    minerva.subscribe({
      topics: ["tenant"],
      from: null,
      // A slow consumer: later events queue behind it and still arrive in order.
      onEvent: async (e) => {
        events.push(e);
        if (e.position % 7 === 0) await new Promise((r) => setTimeout(r, 5));
      },
      onStatus: (s) => void statuses.push(s),
    });
    await until(() => statuses.some((s) => s.state === "live"), 30_000, "subscription live");
    for (let i = 0; i < 30; i++) {
      await capture(() => node.url, admin, i);
      if (i === 10 || i === 20) proxy.cut(); // twice, with captures committed meanwhile
    }
    const reference = await referencePositions(node.url, admin);
    await until(() => events.length >= reference.length, 30_000, "every event after the cuts");
    assertExactlyOnceInOrder(events, reference);
    assert.ok(statuses.filter((s) => s.state === "reconnecting").length >= 2, "reconnected twice");
  } finally {
    minerva.close();
    await proxy.close();
    await node.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("minerva client: commands answer done or suggested by the tenant's policy; errors carry the API's code and status; an expired token is renewed", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "cove_minerva_" });
  const node = await startNode(dataDir);
  try {
    const admin = await tokenFor(dataDir, "admin");
    const minerva = createMinervaClient({
      baseUrl: node.url,
      token: await tokenFor(dataDir, "ai", "minerva"),
    });
    const suggested = await minerva.captureLead({
      idempotencyKey: "s1",
      contact: { name: "Sam Ode", email: "sam@example.com" },
    });
    assert.equal(suggested.state, "suggested");
    assert.deepEqual((await minerva.listLeads()).items, [], "nothing ran before approval");
    const approve = await fetch(
      `${node.url}/v1/suggestions/${
        suggested.state === "suggested" && suggested.suggestionId
      }/approve`,
      { method: "POST", headers: { authorization: `Bearer ${admin}` } },
    );
    assert.equal(approve.status, 200);
    const { result } = await approve.json();
    assert.equal(result.status, 201);

    const setMode = await fetch(`${node.url}/v1/ai-policy`, {
      method: "PUT",
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
      body: JSON.stringify({ mode: "autopilot" }),
    });
    assert.equal(setMode.status, 200);
    const done = await minerva.captureLead({
      idempotencyKey: "s2",
      contact: { email: "kim@example.com" },
    });
    assert.equal(done.state, "done");
    assert.equal(done.state === "done" && done.value.outcome, "created");
    const leadId = done.state === "done" ? done.value.leadId : "";
    assert.equal((await minerva.getLead(leadId)).leadId, leadId);
    const list = await minerva.listLeads({ q: "kim" });
    assert.deepEqual(list.items.map((l) => l.lead_id), [leadId]);
    assert.equal((await minerva.listLeads({ limit: 1 })).items.length, 1);
    const timeline = await minerva.timeline(leadId);
    assert.equal(timeline[0]?.summary, "captured from rest");

    // Typed errors: the API's code and status.
    await assert.rejects(minerva.getLead("nobody"), (e) => {
      assert.ok(e instanceof MinervaApiError);
      assert.equal(e.code, "not_found");
      assert.equal(e.status, 404);
      return true;
    });
    await assert.rejects(
      minerva.captureLead({ idempotencyKey: "bad", contact: { email: "nope" } }),
      (e) => e instanceof MinervaApiError && e.status === 400 && e.code === "validation_failed",
    );
    await assert.rejects(
      minerva.request("PUT", "/v1/ai-policy", { mode: "suggest" }),
      (e) => e instanceof MinervaApiError && e.status === 403 && e.code === "forbidden",
    );
    const unreachable = createMinervaClient({ baseUrl: "http://127.0.0.1:1", token: admin });
    await assert.rejects(
      unreachable.listLeads(),
      (e) => e instanceof MinervaApiError && e.code === "network_error" && e.status === 0,
    );

    // An access token issued an hour ago has expired; its refresh token still works.
    const past = createTokenService({
      secret: await tokenSecret(dataDir),
      clock: { now: () => Date.now() - 3_600_000 },
    });
    const old = await past.issue({ sub: "minerva", tenant: TENANT, role: "ai" });
    const stale = createMinervaClient({ baseUrl: node.url, token: old.accessToken });
    await assert.rejects(
      stale.listLeads(),
      (e) => e instanceof MinervaApiError && e.status === 401,
    );
    const renewedWith: string[] = [];
    const renewing = createMinervaClient({
      baseUrl: node.url,
      token: old.accessToken,
      refreshToken: old.refreshToken,
      onTokens: (t) => void renewedWith.push(t.accessToken),
    });
    assert.equal((await renewing.listLeads()).items.length, 2);
    assert.equal(renewedWith.length, 1, "renewed once");
    assert.equal((await renewing.listLeads()).items.length, 2);
    assert.equal(renewedWith.length, 1, "the renewed token is kept");
  } finally {
    await node.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
});
