/**
 * The gateway: the HTTP face of a Cove node. Today it serves the health
 * endpoints (`/healthz`, `/readyz`), the providers' signed webhooks
 * (`/webhooks/...`: inbound SMS and email, delivery events) and one-click
 * email unsubscribe (`/u/...`), behind one error boundary that turns public
 * `CoveError`s into JSON and hides the rest; `serve` puts any app on a socket.
 *
 * @module
 */
export * from "./app.ts";
export * from "./serve.ts";
export * from "./webhooks.ts";
export * from "./unsubscribe.ts";
