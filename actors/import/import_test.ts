import assert from "node:assert/strict";
import { ManualClock } from "../../shared/clock.ts";
import { ValidationError } from "../../shared/errors.ts";
import { newId } from "../../shared/ids.ts";
import { captureLead, lead, leadMigrations } from "../lead/mod.ts";
import {
  ActorSystem,
  type BusMessage,
  type Database,
  MemoryBus,
  openDatabase,
  tenantTopic,
} from "../runtime/mod.ts";
import {
  ImportConflictError,
  importCsv,
  importJob,
  importMigrations,
  MAX_CSV_BYTES,
  resumeRunningImports,
  runImport,
  startImport,
} from "./mod.ts";

// Every rule runs against embedded PGlite and, when TEST_DATABASE_URL is set, real Postgres.
const url = Deno.env.get("TEST_DATABASE_URL");
const BACKENDS = [
  { name: "embedded PGlite", skip: undefined, url: undefined },
  { name: "Postgres", skip: url ? undefined : "TEST_DATABASE_URL not set", url },
];

async function open(backendUrl: string | undefined): Promise<Database> {
  const migrations = [...await leadMigrations(), ...await importMigrations()];
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

interface Ctx {
  s: ActorSystem;
  db: Database;
  /** Every event published on tenant t1, in publish order. */
  published: BusMessage[];
}

/** Good rows, one person twice (by email, so merged), a bad email and a bad phone. */
const PEOPLE = [
  "Name,E-mail,Phone,Company,ZIP,Tags",
  "Dana Reyes,dana@example.com,(415) 555-2671,Joe's Plumbing,94107,vip", // row 2
  "Sam Lee,sam@example.com,,,,", // row 3
  "Ana Ruiz,,(212) 555-2671,,,", // row 4
  "Dana R.,DANA@example.com,,,,referral", // row 5: Dana again
  "Bad Email,not-an-email,,,,", // row 6
  "Bad Phone,,12,,,", // row 7
  "Kim Park,kim@example.com,,,,", // row 8
].join("\n") + "\n";

const count = async (db: Database, query: string) =>
  (await db.sql.unsafe<{ n: number }[]>(query))[0]!.n;

for (const backend of BACKENDS) {
  const test = (name: string, fn: (c: Ctx) => Promise<void>) =>
    Deno.test({
      name: `import [${backend.name}]${backend.skip ? ` (skipped: ${backend.skip})` : ""}: ${name}`,
      ignore: backend.skip !== undefined,
      async fn() {
        const db = await open(backend.url);
        const bus = new MemoryBus();
        const published: BusMessage[] = [];
        await bus.subscribe(tenantTopic("t1"), (m) => published.push(m));
        const clock = new ManualClock(Date.UTC(2026, 10, 22, 9));
        const s = new ActorSystem({ database: db, types: [lead, importJob], bus, clock });
        try {
          await fn({ s, db, published });
        } finally {
          await s.shutdown();
          await bus.close();
          await db.close();
        }
      },
    });

  test("good rows are imported, a repeat person merges, bad rows fail naming field and row", async ({ s, db, published }) => {
    const p = await importCsv(s, "t1", "imp1", { csv: PEOPLE, source: "csv" }, { batchSize: 2 });
    assert.deepEqual(
      { ...p, errors: undefined, mapping: undefined },
      {
        status: "completed",
        total: 7,
        done: 7,
        created: 4,
        merged: 1,
        repeated: 0,
        failed: 2,
        errors: undefined,
        errorsNotKept: 0,
        mapping: undefined,
        ignoredColumns: [],
      },
    );
    assert.deepEqual(p.mapping, {
      "Name": "contact.name",
      "E-mail": "contact.email",
      "Phone": "contact.phone",
      "Company": "contact.company",
      "ZIP": "contact.address.postcode",
      "Tags": "tags",
    });
    assert.deepEqual(p.errors.map((e) => e.row), [6, 7]);
    assert.ok(p.errors[0]!.issues.some((i) => i.path === "contact.email" && i.column === "E-mail"));
    assert.ok(p.errors[1]!.issues.some((i) => i.path === "contact.phone" && i.column === "Phone"));

    // What a dashboard sees on the tenant's stream, in commit order.
    const events = published.filter((m) => m.actor === "import/t1/imp1");
    assert.equal(events[0]!.type, "import.started");
    assert.deepEqual((events[0]!.data as { total: number }).total, 7);
    assert.equal(events.at(-1)!.type, "import.completed");
    const progressed = events.filter((m) => m.type === "import.progressed").map((m) =>
      m.data as Record<string, number>
    );
    assert.deepEqual(progressed.map((d) => d.done), [2, 4, 6, 7], "one event per batch, monotone");
    for (const d of progressed) {
      assert.equal(d.created! + d.merged! + d.repeated! + d.failed!, d.done);
    }
    assert.deepEqual(
      events.filter((m) => m.type === "import.row_failed").map((m) =>
        (m.data as { row: number }).row
      ),
      [6, 7],
    );
    assert.deepEqual((events.at(-1)!.data as { totals: unknown }).totals, {
      total: 7,
      done: 7,
      created: 4,
      merged: 1,
      repeated: 0,
      failed: 2,
    });

    assert.equal(await count(db, "SELECT count(*)::int AS n FROM leads WHERE tenant = 't1'"), 4);
    const [dana] = await db.sql`SELECT lead_id FROM leads WHERE email = 'dana@example.com'`;
    const view = await s.ref(lead, "t1", dana!.lead_id).query("view");
    assert.deepEqual(view.tags.toSorted(), ["referral", "vip"]);
    assert.equal(view.source, "csv");
    const [job] = await db.sql`SELECT status, done, failed FROM imports WHERE import_id = 'imp1'`;
    assert.deepEqual({ ...job }, { status: "completed", done: 7, failed: 2 });
    assert.equal(await count(db, "SELECT count(*)::int AS n FROM import_files"), 0, "file dropped");
  });

  test("re-importing the same rows, even from a file laid out differently, is all repeats", async ({ s, db }) => {
    await importCsv(s, "t1", "first", { csv: PEOPLE, source: "csv" });
    const leadEvents = "SELECT count(*)::int AS n FROM events WHERE actor LIKE 'lead/%'";
    const before = await count(db, leadEvents);
    const again = await importCsv(s, "t1", "again", { csv: PEOPLE, source: "csv" });
    assert.deepEqual(
      [again.created, again.merged, again.repeated, again.failed, again.done],
      [0, 0, 5, 2, 7],
    );
    // The same content with other header names, another column order and CRLF line ends.
    const lines = PEOPLE.trim().split("\n").map((l) => {
      const [name, email, phone, company, zip, tags] = l.split(",");
      return [tags, zip, company, phone, email, name].join(",");
    });
    lines[0] = "Labels,Postcode,Business,Mobile,Email,Full name";
    const other = await importCsv(s, "t1", "other", { csv: lines.join("\r\n"), source: "csv" });
    assert.equal(other.repeated, 5);
    assert.equal(other.created + other.merged, 0);
    assert.equal(await count(db, leadEvents), before, "no lead changed");
    assert.equal(await count(db, "SELECT count(*)::int AS n FROM leads"), 4);
  });

  test("a mapping to an unknown field or a missing column names mapping.<column>; nothing is written", async ({ s, db }) => {
    const cases: Array<[Parameters<typeof startImport>[3], string]> = [
      [{ csv: PEOPLE, source: "csv", mapping: { "E-mail": "contact.emial" } }, "mapping.E-mail"],
      [{ csv: PEOPLE, source: "csv", mapping: { "Fax": "contact.phone" } }, "mapping.Fax"],
      [{ csv: "City,Name\nParis,Ana\n", source: "csv" }, "mapping"],
      [{ csv: PEOPLE, source: "csv", defaultCountry: "USA" }, "defaultCountry"],
      [{ csv: 'Email\n"x@example.com\n', source: "csv" }, "csv"],
      [{ csv: `Email\n${"x".repeat(MAX_CSV_BYTES)}\n`, source: "csv" }, "csv"],
    ];
    for (const [request, path] of cases) {
      const err = await startImport(s, "t1", "bad", request).catch((e) => e);
      assert.ok(err instanceof ValidationError, `${path}: ${err}`);
      assert.deepEqual(err.issues.map((i) => i.path), [path], err.message);
    }
    assert.equal(await count(db, "SELECT count(*)::int AS n FROM import_files"), 0);
    assert.equal(await count(db, "SELECT count(*)::int AS n FROM events"), 0);
  });

  test("a file with only a header completes at once with total 0", async ({ s, published }) => {
    const p = await importCsv(s, "t1", "empty", { csv: "Email,Name\r\n", source: "csv" });
    assert.equal(p.status, "completed");
    assert.deepEqual([p.total, p.done], [0, 0]);
    assert.deepEqual(published.map((m) => m.type), ["import.started", "import.completed"]);
  });

  test("quoted fields with commas, quotes and line breaks; row numbers count records", async ({ s, db }) => {
    const csv = [
      "Name,Email,Company,Notes",
      '"Reyes, Dana",dana@example.com,"Joe\'s ""Best"" Plumbing","Called twice,',
      'asked for a quote"',
      '"Lee, Sam",not-an-email,,"multi',
      "line",
      'note"',
      "Kim Park,kim@example.com,,",
    ].join("\n");
    const p = await importCsv(s, "t1", "quoted", { csv, source: "csv" });
    assert.deepEqual([p.total, p.created, p.failed], [3, 2, 1]);
    assert.equal(p.errors[0]!.row, 3, "the second record, though it starts on line 4");
    const [row] = await db.sql`SELECT lead_id FROM leads WHERE email = 'dana@example.com'`;
    const view = await s.ref(lead, "t1", row!.lead_id).query("view");
    assert.equal(view.contact.name, "Reyes, Dana");
    assert.equal(view.contact.company, 'Joe\'s "Best" Plumbing');
    assert.equal(view.messages[0]!.content, "Called twice,\nasked for a quote");
  });

  test("a job left running is resumed from the read model; two drivers do not count twice", async ({ s, db }) => {
    const started = await startImport(s, "t1", "later", { csv: PEOPLE, source: "csv" });
    assert.deepEqual([started.status, started.total], ["running", 7]);
    // A retried start with the same file finds the job; another file under that id is refused.
    assert.equal((await startImport(s, "t1", "later", { csv: PEOPLE, source: "csv" })).total, 7);
    const conflict = await startImport(s, "t1", "later", { csv: PEOPLE + "Zed,z@example.com\n" })
      .catch((e) => e);
    assert.ok(conflict instanceof ImportConflictError);

    const [resumed] = await resumeRunningImports(s, { batchSize: 1 });
    assert.ok(resumed?.ok);
    assert.equal(resumed.progress.status, "completed");

    await startImport(s, "t1", "twice", { csv: PEOPLE, source: "csv" });
    const [a, b] = await Promise.all([
      runImport(s, "t1", "twice", { batchSize: 1 }),
      runImport(s, "t1", "twice", { batchSize: 1 }),
    ]);
    // The driver found behind the other stops (still running then); the other finishes the job.
    assert.ok([a.status, b.status].includes("completed"), `${a.status}, ${b.status}`);
    const p = await s.ref(importJob, "t1", "twice").query("progress");
    assert.equal(p.status, "completed");
    assert.deepEqual([p.done, p.repeated + p.failed, p.failed], [7, 7, 2], "each row counted once");
    assert.equal(await count(db, "SELECT count(*)::int AS n FROM import_files"), 0);
  });

  test("a cancelled job stops and drops its file", async ({ s, db }) => {
    await startImport(s, "t1", "stop", { csv: PEOPLE, source: "csv" });
    const ref = s.ref(importJob, "t1", "stop");
    assert.deepEqual(await ref.ask("cancel", {}), { state: "cancelled", done: 0 });
    const p = await runImport(s, "t1", "stop");
    assert.deepEqual([p.status, p.done], ["cancelled", 0]);
    assert.equal(await count(db, "SELECT count(*)::int AS n FROM import_files"), 0);
    assert.equal(await count(db, "SELECT count(*)::int AS n FROM leads"), 0);
  });

  test("rows dedupe against leads captured elsewhere", async ({ s }) => {
    const web = await captureLead(s, "t1", {
      idempotencyKey: "w1",
      source: "widget",
      contact: { email: "sam@example.com" },
    });
    const p = await importCsv(s, "t1", "mixed", { csv: PEOPLE, source: "csv" });
    assert.deepEqual([p.created, p.merged], [3, 2]);
    const view = await s.ref(lead, "t1", web.leadId).query("view");
    assert.equal(view.contact.name, "Sam Lee", "the row filled the name the widget lacked");
  });
}
