import assert from "node:assert/strict";
import { importJob, importMigrations, MAX_CSV_BYTES, startImport } from "../actors/import/mod.ts";
import { lead, leadMigrations, settings } from "../actors/lead/mod.ts";
import {
  ActorSystem,
  openTestDatabase,
  type TestBackend,
  testBackends,
  testName,
} from "../actors/runtime/mod.ts";
import type { Role } from "../shared/mod.ts";
import { createApp } from "./app.ts";
import { createTokenService } from "./auth.ts";
import { importRoutes, MAX_IMPORT_JSON_BYTES } from "./imports_api.ts";

async function setup(backend: TestBackend) {
  const db = await openTestDatabase(backend, [
    ...await leadMigrations(),
    ...await importMigrations(),
  ]);
  const system = new ActorSystem({ database: db, types: [lead, settings, importJob] });
  const tokens = createTokenService({ secret: "x".repeat(32) });
  const drivers: Promise<unknown>[] = [];
  const failures: unknown[] = [];
  const app = createApp({
    health: { ping: () => Promise.resolve(true), isShuttingDown: () => false },
    routes: (a) =>
      a.route(
        "/v1/imports",
        importRoutes({
          system,
          tokens,
          run: { batchSize: 2 },
          track: (d) => drivers.push(d),
          logError: (_id, e) => failures.push(e),
        }),
      ),
  });
  const bearer = async (tenant: string, role: Role = "agent") =>
    `Bearer ${(await tokens.issue({ sub: "u", tenant, role })).accessToken}`;
  const post = async (auth: string, body: string, type: string | null, query = "") =>
    await app.request(`/v1/imports${query}`, {
      method: "POST",
      headers: { authorization: auth, ...(type ? { "content-type": type } : {}) },
      body,
    });
  const get = async (path: string, auth: string, method = "GET") =>
    await app.request(path, { method, headers: { authorization: auth } });
  /** Waits for every background driver started so far; none may have failed. */
  const settled = async () => {
    await Promise.all(drivers);
    assert.deepEqual(failures, []);
  };
  const close = async () => {
    await Promise.all(drivers);
    await system.shutdown();
    await db.close();
  };
  return { app, system, db, bearer, post, get, settled, close };
}

const paths = async (res: Response) =>
  (await res.json()).error.details.issues.map((i: { path: string }) => i.path);

/** Four good rows (one person twice, so merged), a bad email and a bad phone. */
const PEOPLE = [
  "Name,E-mail,Phone,Company",
  "Dana Reyes,dana@example.com,(415) 555-2671,Joe's Plumbing", // row 2
  "Sam Lee,sam@example.com,,", // row 3
  "Dana R.,DANA@example.com,,", // row 4: Dana again
  "Bad Email,not-an-email,,", // row 5
  "Bad Phone,,12,", // row 6
  "Kim Park,kim@example.com,,", // row 7
].join("\n") + "\n";

for (const backend of testBackends()) {
  const test = (name: string, fn: () => Promise<void>) =>
    Deno.test({ name: testName("imports API", backend, name), ignore: !!backend.skip, fn });

  test("a text/csv upload is started at once and imported in the background; progress and row errors by id", async () => {
    const { db, bearer, post, get, settled, close } = await setup(backend);
    try {
      const a = await bearer("t1");
      const res = await post(a, PEOPLE, "text/csv; charset=utf-8", "?importId=people-1");
      assert.equal(res.status, 202, await res.clone().text());
      const started = await res.json();
      assert.deepEqual(
        { ...started, mapping: undefined },
        {
          importId: "people-1",
          status: "running",
          total: 6,
          mapping: undefined,
          ignoredColumns: [],
        },
      );
      assert.equal(started.mapping["E-mail"], "contact.email");
      assert.equal(res.headers.get("location"), "/v1/imports/people-1");

      await settled();
      const progress = await (await get("/v1/imports/people-1", a)).json();
      assert.deepEqual(
        { ...progress, errors: undefined, mapping: undefined },
        {
          importId: "people-1",
          status: "completed",
          total: 6,
          done: 6,
          created: 3,
          merged: 1,
          repeated: 0,
          failed: 2,
          errors: undefined,
          errorsNotKept: 0,
          mapping: undefined,
          ignoredColumns: [],
        },
      );
      assert.deepEqual(
        progress.errors.map((e: { row: number; issues: { path: string; column: string }[] }) => [
          e.row,
          e.issues[0]!.path,
          e.issues[0]!.column,
        ]),
        [[5, "contact.email", "E-mail"], [6, "contact.phone", "Phone"]],
      );
      const [count] = await db.sql<{ n: number }[]>`
        SELECT count(*)::int AS n FROM leads WHERE tenant = 't1'`;
      assert.equal(count?.n, 3); // Dana (twice), Sam, Kim

      const list = await (await get("/v1/imports", a)).json();
      assert.deepEqual(
        list.items.map((i: { importId: string; status: string }) => [i.importId, i.status]),
        [["people-1", "completed"]],
      );
      // Another tenant sees none of it.
      const b = await bearer("t2");
      assert.equal((await get("/v1/imports/people-1", b)).status, 404);
      assert.deepEqual((await (await get("/v1/imports", b)).json()).items, []);
    } finally {
      await close();
    }
  });
}

Deno.test("imports API: JSON with a mapping; a retried upload finds its job, another file under its id is 409", async () => {
  const { bearer, post, get, settled, close } = await setup(testBackends()[0]!);
  try {
    const a = await bearer("t1");
    const csv = "Who,Mail,Notes\nDana,dana@example.com,call back\n";
    const body = JSON.stringify({
      importId: "mapped",
      csv,
      mapping: { Who: "contact.name", Mail: "contact.email", Notes: "message" },
    });
    const res = await post(a, body, "application/json");
    assert.equal(res.status, 202);
    const started = await res.json();
    assert.deepEqual(started.mapping, {
      Who: "contact.name",
      Mail: "contact.email",
      Notes: "message",
    });
    await settled();
    const again = await post(a, body, "application/json");
    assert.equal(again.status, 202);
    assert.equal((await again.json()).status, "completed");
    const progress = await (await get("/v1/imports/mapped", a)).json();
    assert.deepEqual([progress.status, progress.created, progress.done], ["completed", 1, 1]);

    const other = await post(
      a,
      JSON.stringify({ importId: "mapped", csv: "Email\nsam@example.com\n" }),
      "application/json",
    );
    assert.equal(other.status, 409);
    assert.equal((await other.json()).error.code, "import_exists");
  } finally {
    await close();
  }
});

Deno.test("imports API: bad uploads are a 400 naming the field (415 for another type), and start nothing", async () => {
  const { app, bearer, post, get, close } = await setup(testBackends()[0]!);
  try {
    const a = await bearer("t1");
    const json = (v: unknown) => JSON.stringify(v);
    const cases: Array<[string, string | null, string, string[]]> = [
      [json({ mapping: {} }), "application/json", "", ["csv"]],
      [json({ csv: PEOPLE, mapping: { Name: "contact.nickname" } }), "application/json", "", [
        "mapping.Name",
      ]],
      [json({ csv: PEOPLE, mapping: { Nope: "contact.name" } }), "application/json", "", [
        "mapping.Nope",
      ]],
      [json({ csv: PEOPLE, importId: "has space" }), "application/json", "", ["importId"]],
      [json({ csv: PEOPLE, defaultCountry: "USA" }), "application/json", "", ["defaultCountry"]],
      [PEOPLE, "text/csv", "?defaultCountry=USA", ["defaultCountry"]],
      [PEOPLE, "text/csv", "?importId=a/b", ["importId"]],
      ["Email\nx@example.com\u0000\n", "text/csv", "", ["csv"]],
      ["{not json", "application/json", "", [""]],
    ];
    for (const [body, type, query, expected] of cases) {
      const res = await post(a, body, type, query);
      assert.equal(res.status, 400, `${type} ${query} ${body.slice(0, 60)}`);
      if (type === "application/json" && body.startsWith("{not")) continue;
      assert.deepEqual(await paths(res), expected, body.slice(0, 60));
    }
    const empty = await app.request("/v1/imports", {
      method: "POST",
      headers: { authorization: a },
    });
    assert.equal(empty.status, 400);
    assert.match((await empty.json()).error.message, /text\/csv/);
    assert.equal((await post(a, PEOPLE, "text/plain")).status, 415);
    assert.deepEqual((await (await get("/v1/imports", a)).json()).items, []);
    const widget = await post(await bearer("t1", "widget"), PEOPLE, "text/csv");
    assert.equal(widget.status, 403);
  } finally {
    await close();
  }
});

Deno.test("imports API: preview answers the mapping an upload would use, or the issues it would be refused for, and stores nothing", async () => {
  const { app, bearer, get, close } = await setup(testBackends()[0]!);
  try {
    const a = await bearer("t1");
    const preview = async (body: unknown) => {
      const res = await app.request("/v1/imports/preview", {
        method: "POST",
        headers: { authorization: a, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      assert.equal(res.status, 200);
      return await res.json();
    };
    const auto = await preview({ header: ["Name", "E-mail", "Shoe size"] });
    assert.equal(auto.ok, true);
    assert.deepEqual(auto.mapping, { Name: "contact.name", "E-mail": "contact.email" });
    assert.deepEqual(auto.ignoredColumns, ["Shoe size"]);
    assert.deepEqual(auto.issues, []);
    assert.ok(auto.fields.includes("contact.phone"));
    assert.equal(auto.maxBytes, MAX_CSV_BYTES);

    const mapped = await preview({
      header: ["Who", "Mail"],
      mapping: { Who: "contact.name", Mail: "contact.email" },
    });
    assert.deepEqual(mapped.mapping, { Who: "contact.name", Mail: "contact.email" });

    // What an upload would be refused for, with the fields to fix it by.
    const unknown = await preview({ header: ["Name", "Mail"], mapping: { Mail: "contact.mail" } });
    assert.equal(unknown.ok, false);
    assert.deepEqual(unknown.issues.map((i: { path: string }) => i.path), ["mapping.Mail"]);
    const unusable = await preview({ header: ["Name"] });
    assert.deepEqual(unusable.issues.map((i: { path: string }) => i.path), ["mapping"]);
    assert.ok(unusable.fields.includes("contact.email"));
    const bad = await app.request("/v1/imports/preview", {
      method: "POST",
      headers: { authorization: a, "content-type": "application/json" },
      body: JSON.stringify({ header: [] }),
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(await paths(bad), ["header"]);
    assert.deepEqual((await (await get("/v1/imports", a)).json()).items, []);
  } finally {
    await close();
  }
});

Deno.test("imports API: a body over the limit is a 413", async () => {
  const { bearer, post, get, close } = await setup(testBackends()[0]!);
  try {
    const a = await bearer("t1");
    const row = "someone@example.com\n";
    const big = "Email\n" + row.repeat(Math.ceil(MAX_CSV_BYTES / row.length));
    assert.ok(big.length > MAX_CSV_BYTES);
    const csv = await post(a, big, "text/csv");
    assert.equal(csv.status, 413);
    assert.equal((await csv.json()).error.code, "payload_too_large");
    const asJson = await post(
      a,
      JSON.stringify({ csv: "x".repeat(MAX_IMPORT_JSON_BYTES) }),
      "application/json",
    );
    assert.equal(asJson.status, 413);
    // Within the JSON limit but over the file's: a 400 naming csv.
    const field = await post(
      a,
      JSON.stringify({ csv: "Email\n" + "x".repeat(MAX_CSV_BYTES) }),
      "application/json",
    );
    assert.equal(field.status, 400);
    assert.deepEqual(await paths(field), ["csv"]);
    assert.deepEqual((await (await get("/v1/imports", a)).json()).items, []);
  } finally {
    await close();
  }
});

Deno.test("imports API: cancel stops a running import; a finished one is 409; another tenant's is 404", async () => {
  const { system, bearer, get, close } = await setup(testBackends()[0]!);
  try {
    const a = await bearer("t1");
    // Started with no driver, as a job is after its node died: running until someone acts.
    await startImport(system, "t1", "stalled", { csv: PEOPLE });
    const b = await bearer("t2", "admin");
    assert.equal((await get("/v1/imports/stalled", b)).status, 404);
    assert.equal((await get("/v1/imports/stalled/cancel", b, "POST")).status, 404);
    assert.equal((await (await get("/v1/imports/stalled", a)).json()).status, "running");

    const cancelled = await get("/v1/imports/stalled/cancel", a, "POST");
    assert.equal(cancelled.status, 200);
    const p = await cancelled.json();
    assert.deepEqual([p.importId, p.status, p.done], ["stalled", "cancelled", 0]);
    const again = await get("/v1/imports/stalled/cancel", a, "POST");
    assert.equal(again.status, 409);
    assert.match((await again.json()).error.message, /already cancelled/);
    assert.equal((await get("/v1/imports/nothing", a)).status, 404);
    assert.equal((await get("/v1/imports/nothing/cancel", a, "POST")).status, 404);
  } finally {
    await close();
  }
});

Deno.test("imports API: the routes are in /openapi.json with both upload types", async () => {
  const { get, bearer, close } = await setup(testBackends()[0]!);
  try {
    const doc = await (await get("/openapi.json", await bearer("t1"))).json();
    const upload = doc.paths["/v1/imports"].post;
    assert.deepEqual(Object.keys(upload.requestBody.content).sort(), [
      "application/json",
      "text/csv",
    ]);
    assert.ok(upload.responses["413"]);
    assert.ok(doc.paths["/v1/imports/{id}"].get);
    assert.ok(doc.paths["/v1/imports/{id}/cancel"].post);
  } finally {
    await close();
  }
});
