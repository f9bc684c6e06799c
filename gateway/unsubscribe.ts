/**
 * Email unsubscribe links: a signed URL per tenant and address, a confirm
 * page on GET and the opt-out itself on POST (RFC 8058 one-click, which mail
 * clients send from the `List-Unsubscribe-Post` header). GET never opts out:
 * mail scanners and link previewers follow every link in a message.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { createHmac, timingSafeEqual } from "node:crypto";
import { Hono } from "hono";
import { isOptedOut, lead, recordOptOut } from "../actors/lead/mod.ts";
import type { ActorSystem } from "../actors/runtime/mod.ts";
import { CoveError, isKeyPart, normalizeEmail, ValidationError } from "../shared/mod.ts";
import type { GatewayApp } from "./app.ts";

/**
 * The token that authorizes unsubscribing `email` from `tenant`: HMAC-SHA-256
 * of `tenant\nemail` under `secret`, base64url. The address is normalized
 * first, so the link works whatever case the message was sent to.
 */
export function unsubscribeToken(secret: string, tenant: string, email: string): string {
  return createHmac("sha256", secret).update(`${tenant}\n${normalizeEmail(email)}`)
    .digest("base64url");
}

/** The one-click unsubscribe URL of `email` at `tenant`, for messages and `List-Unsubscribe`. */
export function unsubscribeUrl(
  publicUrl: string,
  secret: string,
  tenant: string,
  email: string,
): string {
  const address = Buffer.from(normalizeEmail(email)).toString("base64url");
  const base = publicUrl.replace(/\/+$/, "");
  return `${base}/u/${tenant}/${address}/${unsubscribeToken(secret, tenant, email)}`;
}

/** What {@link unsubscribeRoutes} needs. */
export interface UnsubscribeDeps {
  system: ActorSystem;
  /** Signs the links; the same secret must build them ({@link unsubscribeUrl}). */
  secret: string;
}

/** `GET` and `POST /u/:tenant/:address/:token`; mount at `/u`. */
export function unsubscribeRoutes(deps: UnsubscribeDeps): GatewayApp {
  const app = new Hono();

  app.get("/:tenant/:address/:token", (c) => {
    const { email } = verified(deps.secret, c.req.param());
    return c.html(page(
      "Unsubscribe",
      `<p>Stop email to <strong>${escapeHtml(email)}</strong>?</p>
<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe</button></form>`,
    ));
  });

  app.post("/:tenant/:address/:token", async (c) => {
    const { tenant, email } = verified(deps.secret, c.req.param());
    // The body (`List-Unsubscribe=One-Click` or our form) carries nothing the token does not.
    await c.req.raw.body?.cancel();
    const sql = deps.system.journal.sql;
    const already = await isOptedOut(sql, tenant, "email", email);
    await recordOptOut(sql, tenant, "email", email, true, "email unsubscribe");
    const [owner] = await sql<{ lead_id: string }[]>`
      SELECT lead_id FROM lead_identities WHERE tenant = ${tenant} AND key = ${`email:${email}`}`;
    // The lead's own consent too, so its timeline shows why follow-ups stopped.
    if (owner && !already) {
      await deps.system.ref(lead, tenant, owner.lead_id).ask("recordConsent", {
        channel: "email",
        granted: false,
        source: "unsubscribe link",
      });
    }
    return c.html(
      page("Unsubscribed", `<p>You are unsubscribed: no more email to ${escapeHtml(email)}.</p>`),
    );
  });

  return app;
}

/** The tenant and address of a link whose token is right; 400 for a bad tenant, else 403. */
function verified(
  secret: string,
  p: { tenant?: string; address?: string; token?: string },
): { tenant: string; email: string } {
  const tenant = p.tenant ?? "";
  if (!isKeyPart(tenant)) {
    throw new ValidationError("unsubscribe link", [{ path: "tenant", message: "not a tenant id" }]);
  }
  const email = normalizeEmail(Buffer.from(p.address ?? "", "base64url").toString("utf8"));
  const expected = Buffer.from(unsubscribeToken(secret, tenant, email));
  const given = Buffer.from(p.token ?? "");
  if (email === "" || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new CoveError("forbidden", "this unsubscribe link is not valid", {
      status: 403,
      public: true,
    });
  }
  return { tenant, email };
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head>
<body><h1>${title}</h1>
${body}
</body></html>`;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
