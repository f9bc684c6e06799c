import assert from "node:assert/strict";
import { CircuitBreakers, providerFromEnv } from "../actors/channels/mod.ts";
import type { Database } from "../actors/runtime/mod.ts";
import { issuePaths, T0, withApi } from "./_api_test_support.ts";
import { providerStatusOf } from "./outbox_api.ts";

/** Writes an outbox row as the outbox worker leaves it; answers its id. */
async function outboxRow(
  db: Database,
  tenant: string,
  key: string,
  channel: string,
  status: "pending" | "done" | "dead",
): Promise<number> {
  const [row] = await db.sql<{ id: number }[]>`
    INSERT INTO outbox (tenant, actor, type, channel, key, payload, status, attempts,
                        max_attempts, next_at, last_error)
    VALUES (${tenant}, ${`lead/${tenant}/l1`}, 'lead', ${channel}, ${key},
            ${db.sql.json({ to: "+14155550100", body: key })}, ${status},
            ${status === "dead" ? 5 : 0}, 5, ${T0},
            ${status === "dead" ? "503 from provider" : null})
    RETURNING id`;
  return row!.id;
}

Deno.test("outbox API: counts, dead letters listed with a cursor, replayed and discarded by admin", async () => {
  await withApi(async ({ db, send, bearer }) => {
    const d1 = await outboxRow(db, "tenant-a", "m1", "sms", "dead");
    const d2 = await outboxRow(db, "tenant-a", "m2", "sms", "dead");
    const d3 = await outboxRow(db, "tenant-a", "m3", "email", "dead");
    await outboxRow(db, "tenant-a", "m4", "email", "done");
    await outboxRow(db, "tenant-a", "m5", "email", "pending");
    await outboxRow(db, "tenant-b", "m1", "sms", "dead");
    const agent = await bearer("tenant-a", "agent");
    const admin = await bearer("tenant-a");

    const counts = await (await send("GET", "/v1/outbox", agent)).json();
    assert.deepEqual(counts.total, { pending: 1, sent: 1, dead: 3, discarded: 0 });
    assert.deepEqual(counts.channels.sms, { pending: 0, sent: 0, dead: 2, discarded: 0 });

    const page1 = await (await send("GET", "/v1/dead-letters?limit=2", agent)).json();
    assert.deepEqual(page1.items.map((i: { id: number }) => i.id), [d1, d2]);
    assert.equal(page1.items[0].lastError, "503 from provider");
    const page2 = await (await send("GET", `/v1/dead-letters?limit=2&cursor=${page1.next}`, agent))
      .json();
    assert.deepEqual(page2.items.map((i: { id: number }) => i.id), [d3]);
    assert.equal(page2.next, null);
    const email = await (await send("GET", "/v1/dead-letters?channel=email", agent)).json();
    assert.deepEqual(email.items.map((i: { id: number }) => i.id), [d3]);
    const one = await (await send("GET", `/v1/dead-letters/${d1}`, agent)).json();
    assert.deepEqual(one.payload, { to: "+14155550100", body: "m1" });
    assert.equal(one.maxAttempts, 5);

    assert.equal((await send("POST", `/v1/dead-letters/${d1}/replay`, agent)).status, 403);
    assert.equal((await send("POST", `/v1/dead-letters/${d1}/discard`, agent, {})).status, 403);
    const ai = await bearer("tenant-a", "ai");
    assert.equal((await send("POST", `/v1/dead-letters/${d1}/replay`, ai)).status, 403);
    const replayed = await send("POST", `/v1/dead-letters/${d1}/replay`, admin);
    assert.equal(replayed.status, 200);
    const [row] = await db.sql`SELECT status, attempts FROM outbox WHERE id = ${d1}`;
    assert.deepEqual({ ...row }, { status: "pending", attempts: 0 }, "back in the outbox");
    assert.equal((await send("POST", `/v1/dead-letters/${d1}/replay`, admin)).status, 404);

    const discarded = await send("POST", `/v1/dead-letters/${d2}/discard`, admin, {
      reason: "wrong number",
    });
    assert.equal(discarded.status, 200);
    const [mark] = await db.sql`SELECT result FROM outbox WHERE id = ${d2}`;
    assert.equal(mark!.result.by, "user-admin");
    assert.equal(mark!.result.reason, "wrong number");
    assert.equal((await send("GET", `/v1/dead-letters/${d2}`, agent)).status, 404);
    const left = await (await send("GET", "/v1/dead-letters", agent)).json();
    assert.deepEqual(left.items.map((i: { id: number }) => i.id), [d3]);
    const after = await (await send("GET", "/v1/outbox", agent)).json();
    assert.deepEqual(after.total, { pending: 2, sent: 1, dead: 1, discarded: 1 });
  });
});

Deno.test("outbox API: another tenant's dead letter is 404 and untouched; bad input names the field", async () => {
  await withApi(async ({ db, send, bearer }) => {
    const id = await outboxRow(db, "tenant-a", "m1", "sms", "dead");
    const b = await bearer("tenant-b");
    assert.equal((await send("GET", `/v1/dead-letters/${id}`, b)).status, 404);
    assert.equal((await send("POST", `/v1/dead-letters/${id}/replay`, b)).status, 404);
    assert.equal((await send("POST", `/v1/dead-letters/${id}/discard`, b, {})).status, 404);
    assert.deepEqual((await (await send("GET", "/v1/dead-letters", b)).json()).items, []);
    assert.deepEqual((await (await send("GET", "/v1/outbox", b)).json()).channels, {});
    const [row] = await db.sql`SELECT status, result FROM outbox WHERE id = ${id}`;
    assert.deepEqual({ ...row }, { status: "dead", result: null });

    const a = await bearer("tenant-a");
    const badId = await send("GET", "/v1/dead-letters/abc", a);
    assert.equal(badId.status, 400);
    assert.deepEqual(await issuePaths(badId), ["id"]);
    assert.deepEqual(await issuePaths(await send("GET", "/v1/dead-letters?limit=0", a)), [
      "limit",
    ]);
    const badReason = await send("POST", `/v1/dead-letters/${id}/discard`, a, { reason: 7 });
    assert.deepEqual(await issuePaths(badReason), ["reason"]);
    const widget = await bearer("tenant-a", "widget");
    assert.equal((await send("GET", "/v1/dead-letters", widget)).status, 403);
  });
});

Deno.test("providers API: each channel's provider, mode and breaker state on this node", async () => {
  const providers = providerFromEnv({
    TWILIO_ACCOUNT_SID: "AC00000000000000000000000000000000",
    TWILIO_AUTH_TOKEN: "token",
    TWILIO_FROM: "+14155550100",
    TWILIO_BASE_URL: "http://127.0.0.1:9",
  });
  const breakers = new CircuitBreakers({ failureThreshold: 2, openMs: 30_000 });
  await withApi(async ({ send, bearer }) => {
    const agent = await bearer("tenant-a", "agent");
    const before = await (await send("GET", "/v1/providers", agent)).json();
    type Item = { channel: string; provider: string; mode: string; breaker: { state: string } };
    assert.deepEqual(
      before.items.map((p: Item) => [p.channel, p.provider, p.mode, p.breaker.state]),
      [["sms", "twilio", "live", "closed"], ["email", "sandbox", "sandbox", "closed"]],
    );

    breakers.for("twilio").record("unavailable", T0);
    breakers.for("twilio").record("timeout", T0 + 1);
    const after = await (await send("GET", "/v1/providers", agent)).json();
    assert.deepEqual(after.items[0].breaker, {
      state: "open",
      consecutiveFailures: 2,
      openedAt: T0 + 1,
      nextProbeAt: T0 + 1 + 30_000,
    });
    assert.equal(after.items[1].breaker.state, "closed", "each provider has its own breaker");
  }, { providerStatus: providerStatusOf(providers, breakers) });
});
