import assert from "node:assert/strict";
import { ManualClock } from "../../shared/clock.ts";
import { ValidationError } from "../../shared/errors.ts";
import { newId } from "../../shared/ids.ts";
import { ActorSystem, type Database, openDatabase } from "../runtime/mod.ts";
import { captureLead } from "./capture.ts";
import { lead } from "./lead.ts";
import { leadMigrations } from "./mod.ts";

// Every rule runs against embedded PGlite and, when TEST_DATABASE_URL is set, real Postgres.
const url = Deno.env.get("TEST_DATABASE_URL");
const BACKENDS = [
  { name: "embedded PGlite", skip: undefined, url: undefined },
  { name: "Postgres", skip: url ? undefined : "TEST_DATABASE_URL not set", url },
];

async function open(backendUrl: string | undefined): Promise<Database> {
  const migrations = await leadMigrations();
  if (!backendUrl) return openDatabase({ migrations });
  const schema = `t_${newId()}`;
  const db = await openDatabase({ url: backendUrl, schema, max: 4, migrations });
  return {
    ...db,
    async close() {
      await db.sql.unsafe(`DROP SCHEMA "${schema}" CASCADE`).catch(() => {});
      await db.close();
    },
  };
}

const person = {
  name: "Dana Reyes",
  email: "Dana.Reyes@Example.com ",
  phone: "(415) 555-2671",
  company: "Joe's Plumbing LLC",
  address: { postcode: "94107", country: "US" },
  timeZone: "America/Los_Angeles",
};

for (const backend of BACKENDS) {
  const test = (
    name: string,
    fn: (s: ActorSystem, db: Database, clock: ManualClock) => Promise<void>,
  ) =>
    Deno.test({
      name: `lead [${backend.name}]${backend.skip ? ` (skipped: ${backend.skip})` : ""}: ${name}`,
      ignore: backend.skip !== undefined,
      async fn() {
        const db = await open(backend.url);
        const clock = new ManualClock(Date.UTC(2026, 5, 1, 15));
        const s = new ActorSystem({ database: db, types: [lead], clock });
        try {
          await fn(s, db, clock);
        } finally {
          await s.shutdown();
          await db.close();
        }
      },
    });

  test("a double submit is one lead", async (s, db) => {
    const submit = { idempotencyKey: "form-1", source: "widget", contact: person };
    const [a, b] = await Promise.all([captureLead(s, "t1", submit), captureLead(s, "t1", submit)]);
    assert.equal(a.leadId, b.leadId);
    assert.deepEqual([a.outcome, b.outcome].sort(), ["created", "repeated"]);
    const again = await captureLead(s, "t1", submit);
    assert.equal(again.outcome, "repeated");
    const [n] = await db.sql`SELECT count(*)::int AS n FROM events WHERE tenant = 't1'`;
    assert.equal(n!.n, 1, "one event for three submits of one form");
  });

  test("the same person again merges, recording what changed", async (s) => {
    const first = await captureLead(s, "t1", {
      idempotencyKey: "k1",
      source: "widget",
      contact: person,
    });
    const second = await captureLead(s, "t1", {
      idempotencyKey: "k2",
      source: "rest",
      contact: { email: "dana.reyes@example.com", businessType: "plumber", rating: 4.7 },
      tags: ["referral"],
    });
    assert.equal(second.leadId, first.leadId);
    assert.equal(second.outcome, "merged");
    assert.deepEqual(second.matchedBy, ["email"]);
    const ref = s.ref(lead, "t1", first.leadId);
    const history = await s.history(ref);
    assert.deepEqual(history.map((e) => e.type), ["lead.captured", "lead.merged"]);
    assert.deepEqual((history[1]!.data as { changes: unknown }).changes, [
      { field: "businessType", from: null, to: "plumber" },
      { field: "rating", from: null, to: 4.7 },
    ]);
    const view = await ref.query("view");
    assert.equal(view.contact.email, "dana.reyes@example.com");
    assert.equal(view.contact.phone, "+14155552671");
    assert.deepEqual(view.tags, ["referral"]);
  });

  test("one person reaching us by SMS and by email is one lead", async (s, db) => {
    const web = await captureLead(s, "t1", {
      idempotencyKey: "w",
      source: "widget",
      contact: person,
    });
    const sms = await captureLead(s, "t1", {
      idempotencyKey: "sms-SM1",
      source: "inbound_sms",
      contact: { phone: "+1 415 555 2671" },
      message: "Is Tuesday OK?",
    });
    const mail = await captureLead(s, "t1", {
      idempotencyKey: "mail-1",
      source: "inbound_email",
      contact: { email: "DANA.REYES@example.com" },
      message: "Re: your quote",
    });
    assert.deepEqual([sms.leadId, mail.leadId], [web.leadId, web.leadId]);
    const [n] = await db.sql`SELECT count(*)::int AS n FROM leads WHERE tenant = 't1'`;
    assert.equal(n!.n, 1);
    const view = await s.ref(lead, "t1", web.leadId).query("view");
    assert.deepEqual(view.messages.map((m) => [m.channel, m.content]), [
      ["sms", "Is Tuesday OK?"],
      ["email", "Re: your quote"],
    ]);
  });

  test("a business matches by a similar name in the same postcode only", async (s) => {
    const a = await captureLead(s, "t1", {
      idempotencyKey: "b1",
      source: "csv",
      contact: { company: "Joe's Plumbing LLC", address: { postcode: "94107" } },
    });
    const b = await captureLead(s, "t1", {
      idempotencyKey: "b2",
      source: "csv",
      contact: { company: "Joes Plumbing & Co.", address: { postcode: "94 107" } },
    });
    const c = await captureLead(s, "t1", {
      idempotencyKey: "b3",
      source: "csv",
      contact: { company: "Joe's Plumbing", address: { postcode: "10001" } },
    });
    const d = await captureLead(s, "t1", {
      idempotencyKey: "b4",
      source: "csv",
      contact: { company: "Jill's Bakery", address: { postcode: "94107" } },
    });
    assert.equal(b.leadId, a.leadId);
    assert.notEqual(c.leadId, a.leadId);
    assert.notEqual(d.leadId, a.leadId);
  });

  test("tenants never share leads", async (s) => {
    const a = await captureLead(s, "t1", {
      idempotencyKey: "x",
      source: "widget",
      contact: person,
    });
    const b = await captureLead(s, "t2", {
      idempotencyKey: "x",
      source: "widget",
      contact: person,
    });
    assert.notEqual(a.leadId, b.leadId);
    assert.equal(b.outcome, "created");
  });

  test("an invalid capture names the field and writes nothing", async (s, db) => {
    const cases: Array<[unknown, string]> = [
      [{ idempotencyKey: "", source: "widget", contact: person }, "idempotencyKey"],
      [{ idempotencyKey: "k", source: "fax", contact: person }, "source"],
      [
        { idempotencyKey: "k", source: "widget", contact: { ...person, email: "nope" } },
        "contact.email",
      ],
      [
        { idempotencyKey: "k", source: "widget", contact: { ...person, phone: "12" } },
        "contact.phone",
      ],
      [
        { idempotencyKey: "k", source: "widget", contact: { ...person, phone: "+1 555 0100 999" } },
        "contact.phone",
      ],
      [{ idempotencyKey: "k", source: "widget", contact: { name: "No Way To Reach" } }, "contact"],
      [
        { idempotencyKey: "k", source: "widget", contact: { ...person, timeZone: "Mars/Olympus" } },
        "contact.timeZone",
      ],
    ];
    for (const [input, field] of cases) {
      const err = await captureLead(s, "t1", input).catch((e) => e);
      assert.ok(err instanceof ValidationError, `${field}: ${err}`);
      assert.ok(err.issues.some((i) => i.path === field), `${field} not named in ${err.message}`);
    }
    const [n] = await db.sql`SELECT (SELECT count(*) FROM events)::int
      + (SELECT count(*) FROM lead_identities)::int AS n`;
    assert.equal(n!.n, 0);
    for (
      const [cmd, input, field] of [
        ["setStatus", { status: "maybe" }, "status"],
        ["assign", { owner: "" }, "owner"],
        ["recordMessage", {
          channel: "fax",
          direction: "inbound",
          content: "x",
          status: "received",
        }, "channel"],
        ["recordConsent", { channel: "sms", granted: "yes", source: "x" }, "granted"],
      ] as const
    ) {
      const err = await s.ref(lead, "t1", "any").ask(cmd, input as never).catch((e) => e);
      assert.ok(err instanceof ValidationError);
      assert.deepEqual(err.issues.map((i) => i.path), [field]);
    }
  });

  test("the funnel moves forward; a reply marks responded; withdrawing all consent unsubscribes", async (s) => {
    const { leadId } = await captureLead(s, "t1", {
      idempotencyKey: "f",
      source: "widget",
      contact: person,
      consent: [{ channel: "sms", granted: true, source: "widget checkbox" }],
    });
    const ref = s.ref(lead, "t1", leadId);
    await ref.ask("recordMessage", {
      channel: "sms",
      direction: "outbound",
      content: "Hi Dana",
      status: "queued",
      externalId: "o1",
    });
    assert.equal((await ref.query("view")).status, "contacted");
    await ref.ask("updateMessageStatus", { externalId: "o1", status: "delivered" });
    await ref.ask("recordMessage", {
      channel: "sms",
      direction: "inbound",
      content: "Yes!",
      status: "received",
    });
    const view = await ref.query("view");
    assert.equal(view.status, "responded");
    assert.equal(view.messages[0]!.status, "delivered");
    assert.deepEqual(await ref.ask("setStatus", { status: "new" }), {
      ok: false,
      reason: "cannot move from responded to new",
    });
    assert.deepEqual(await ref.ask("setStatus", { status: "qualified" }), {
      ok: true,
      status: "qualified",
    });
    await ref.ask("recordConsent", { channel: "sms", granted: false, source: "sms STOP" });
    assert.equal((await ref.query("view")).status, "qualified", "email consent still open");
    await ref.ask("recordConsent", {
      channel: "email",
      granted: false,
      source: "unsubscribe link",
    });
    assert.equal((await ref.query("view")).status, "unsubscribed");
  });

  test("the read model follows every change in the same commit", async (s, db, clock) => {
    const { leadId } = await captureLead(s, "t1", {
      idempotencyKey: "rm",
      source: "widget",
      contact: person,
      tags: ["hot"],
    });
    clock.advance(60_000);
    await s.ref(lead, "t1", leadId).ask("assign", { owner: "sam" });
    const [row] = await db.sql`SELECT * FROM leads WHERE lead_id = ${leadId}`;
    assert.equal(row!.email, "dana.reyes@example.com");
    assert.equal(row!.phone, "+14155552671");
    assert.equal(row!.owner, "sam");
    assert.equal(row!.status, "new");
    assert.deepEqual(row!.tags, ["hot"]);
    assert.equal(row!.time_zone, "America/Los_Angeles");
  });

  test("a lead's state at a past moment", async (s, _db, clock) => {
    const t0 = clock.now();
    const { leadId } = await captureLead(s, "t1", {
      idempotencyKey: "tt",
      source: "widget",
      contact: person,
    });
    const ref = s.ref(lead, "t1", leadId);
    clock.advance(3_600_000);
    await ref.ask("setStatus", { status: "qualified" });
    clock.advance(3_600_000);
    await ref.ask("setStatus", { status: "won" });
    assert.equal((await s.stateAt(ref, t0 + 1_000)).state.status, "new");
    assert.equal((await s.stateAt(ref, t0 + 3_600_000)).state.status, "qualified");
    assert.equal((await s.stateAt(ref, clock.now())).state.status, "won");
  });
}
