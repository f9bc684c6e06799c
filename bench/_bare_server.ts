/**
 * The floor of the HTTP capture benchmark, run as its own process: the same
 * bare parts a node's `POST /v1/leads` is built from (Deno.serve, Hono,
 * @hono/zod-openapi validating the same capture schema) and nothing else:
 * no auth, no rate limit, no database. It answers 201 with a fixed capture
 * result. Prints `listening on http://127.0.0.1:<port>` once bound.
 *
 * @module
 */
// The library itself, as the floor is meant to be the bare parts; the gateway keeps its names private.
import { createRoute, z } from "@hono/zod-openapi";
import { apiRouter, json, jsonBody, serve } from "../gateway/mod.ts";
import { CaptureLeadFields, identifiesSomeone, IDENTIFY_ISSUE, LeadSource } from "../shared/mod.ts";

const CaptureBody = CaptureLeadFields.extend({ source: LeadSource.default("rest") })
  .refine(identifiesSomeone, IDENTIFY_ISSUE);
const Result = z.object({ leadId: z.string(), outcome: z.string() });

const app = apiRouter();
let n = 0;
app.openapi(
  createRoute({
    method: "post",
    path: "/v1/leads",
    request: { body: jsonBody(CaptureBody) },
    responses: { 201: { description: "accepted", content: json(Result) } },
  }),
  (c) => {
    const body = c.req.valid("json");
    // Touch the parsed body so the validation cannot be optimised away.
    return c.json({ leadId: `bare-${++n}-${body.idempotencyKey.length}`, outcome: "created" }, 201);
  },
);

const server = serve(app, { port: 0, hostname: "127.0.0.1" });
console.log(`bare: listening on http://127.0.0.1:${server.port}`);
Deno.addSignalListener("SIGTERM", () => server.shutdown().then(() => Deno.exit(0)));
