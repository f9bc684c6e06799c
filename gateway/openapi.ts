/**
 * How REST routes are declared: each route is a `createRoute` over the zod
 * schemas in `shared/`, so the same schema validates the request, types the
 * handler and documents the route in the OpenAPI 3.1 document served at
 * `/openapi.json` (and as a readable page at `/docs`). A request that fails
 * its schema becomes one {@link ValidationError} naming every failing field.
 *
 * @module
 */
// @hono/zod-openapi rather than a hand-written document: it reads the zod
// schemas the handlers already validate with, so the document cannot drift
// from what the routes accept.
import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { Env } from "hono";
import { fieldIssues, ValidationError } from "../shared/errors.ts";

export { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";

/** What each request part is called in a validation error. */
const TARGET_NAMES: Record<string, string> = {
  json: "request body",
  query: "query",
  param: "path",
  header: "headers",
  form: "form body",
  cookie: "cookies",
};

/**
 * A router whose routes turn a schema failure into a {@link ValidationError}
 * (400, `details.issues` naming each field). Every REST sub-app is one.
 */
export function apiRouter<E extends Env>(): OpenAPIHono<E> {
  return new OpenAPIHono<E>({
    defaultHook: (result) => {
      if (!result.success) {
        throw new ValidationError(
          TARGET_NAMES[result.target] ?? result.target,
          fieldIssues(result.error.issues),
        );
      }
      const path = unstorableString(result.data);
      if (path !== null) {
        throw new ValidationError(TARGET_NAMES[result.target] ?? result.target, [{
          path,
          message: "contains a NUL character or an unpaired surrogate",
        }]);
      }
    },
  });
}

/**
 * The path of the first string (or key) in `value` that Postgres cannot
 * store as text or jsonb, which would otherwise fail the write with a 500;
 * null when there is none. Iterative, as `value` may nest deep.
 */
export function unstorableString(value: unknown): string | null {
  const bad = (s: string) => s.includes("\0") || !s.isWellFormed();
  const stack: [unknown, string][] = [[value, ""]];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === "string") {
      if (bad(v)) return path;
    } else if (v !== null && typeof v === "object") {
      for (const [k, child] of Object.entries(v)) {
        const at = path ? `${path}.${k}` : k;
        if (bad(k)) return at;
        stack.push([child, at]);
      }
    }
  }
  return null;
}

/** The body of every error response, as documented. */
export const ErrorSchema = z.object({
  error: z.object({
    code: z.string().openapi({ example: "validation_failed" }),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
}).openapi("Error");

const errorContent = { "application/json": { schema: ErrorSchema } };

/** The error answers every authenticated route may give; spread into `responses`. */
export const authErrors = {
  400: {
    description: "A field failed validation; `details.issues` names it",
    content: errorContent,
  },
  401: { description: "Missing, malformed, expired or unknown credentials", content: errorContent },
  403: { description: "The caller's role may not do this", content: errorContent },
  429: { description: "Rate limited; see `Retry-After`", content: errorContent },
} as const;

/** A 404 answer (also what a lead of another tenant looks like). */
export const notFound = {
  404: { description: "No such resource for this tenant", content: errorContent },
} as const;

/** `{ content: json(schema) }` for a request body or response. */
export function json<T extends z.ZodType>(schema: T) {
  return { "application/json": { schema } } as const;
}

/** A required JSON request body. */
export function jsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return {
    required: true,
    content: json(schema),
    ...(description ? { description } : {}),
  } as const;
}

/** Security requirement of routes open to bearer tokens and API keys. */
export const bearerOrApiKey: Record<string, string[]>[] = [{ bearer: [] }, { apiKey: [] }];

/** Security requirement of widget routes. */
export const siteKeySecurity: Record<string, string[]>[] = [{ siteKey: [] }];

/** The OpenAPI document's head; paths come from the mounted routers. */
export const API_INFO = {
  openapi: "3.1.0",
  info: {
    title: "Cove API",
    version: "1.0.0",
    description: "Admin REST, widget capture and live streams of a Cove node. " +
      "Errors always take the shape of `Error`. Tokens come from `deno task token` or " +
      "`POST /v1/auth/refresh`; the stream protocol is described in the README.",
  },
};

/** Registers the security schemes and serves `/openapi.json` and `/docs` on `app`. */
export function mountApiDocs(app: OpenAPIHono<Env>): void {
  const registry = app.openAPIRegistry;
  registry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "An access token with role and tenant claims (HS256).",
  });
  registry.registerComponent("securitySchemes", "apiKey", {
    type: "apiKey",
    in: "header",
    name: "X-Api-Key",
    description: "A server-to-server API key.",
  });
  registry.registerComponent("securitySchemes", "siteKey", {
    type: "apiKey",
    in: "header",
    name: "X-Site-Key",
    description: "A widget's public site key; only its allowed origins may use it.",
  });
  app.get("/openapi.json", (c) => c.json(app.getOpenAPI31Document(API_INFO)));
  app.get("/docs", (c) => c.html(docsPage(app.getOpenAPI31Document(API_INFO))));
}

type Doc = ReturnType<OpenAPIHono["getOpenAPI31Document"]>;

/** A self-contained page listing every operation (no script from elsewhere). */
function docsPage(doc: Doc): string {
  const esc = (s: unknown) => String(s ?? "").replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  const ops: string[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item ?? {})) {
      if (typeof op !== "object" || op === null || !("responses" in op)) continue;
      const o = op as {
        summary?: string;
        description?: string;
        parameters?: { name: string; in: string; required?: boolean; description?: string }[];
        requestBody?: unknown;
        responses: Record<string, { description?: string }>;
      };
      const params = (o.parameters ?? []).map((p) =>
        `<li><code>${esc(p.name)}</code> (${esc(p.in)}${p.required ? ", required" : ""}) ${
          esc(p.description)
        }</li>`
      ).join("");
      const responses = Object.entries(o.responses).map(([code, r]) =>
        `<li><code>${esc(code)}</code> ${esc(r.description)}</li>`
      ).join("");
      const body = o.requestBody
        ? `<details><summary>request body</summary><pre>${
          esc(JSON.stringify(o.requestBody, null, 2))
        }</pre></details>`
        : "";
      ops.push(
        `<section><h2><span class="m">${esc(method.toUpperCase())}</span> <code>${
          esc(path)
        }</code></h2><p>${esc(o.summary)}</p>${
          o.description ? `<p>${esc(o.description)}</p>` : ""
        }${
          params ? `<h3>parameters</h3><ul>${params}</ul>` : ""
        }${body}<h3>responses</h3><ul>${responses}</ul></section>`,
      );
    }
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(doc.info.title)} ${esc(doc.info.version)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111}
section{border-top:1px solid #ccc;padding:.5rem 0}.m{background:#0b5394;color:#fff;padding:0 .4rem;border-radius:3px}
pre{background:#f4f4f4;padding:.5rem;overflow:auto}</style></head><body>
<h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1>
<p>${
    esc(doc.info.description)
  }</p><p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
${ops.join("\n")}</body></html>`;
}
