/**
 * `/metrics` in the Prometheus text format: HTTP requests by method, route
 * pattern and status, a latency histogram, open stream connections, active
 * actors, dead outbox messages and widget submissions dropped as bots. Each
 * node has its own {@link GatewayMetrics}, so tests can run several.
 *
 * @module
 */
// prom-client rather than a hand-written exposition: it is the maintained
// Prometheus client for JavaScript (label escaping, histogram buckets, the
// content type) and runs unchanged on Deno's npm support.
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { GatewayApp } from "./app.ts";
import { Hono } from "hono";

/** What the gauges read at scrape time; each is optional. */
export interface MetricsSources {
  /** Open WebSocket and SSE connections (`StreamHub.connectionCount`). */
  streamConnections?: () => number;
  /** Actors active on this node (`ActorSystem.activeCount`). */
  activeActors?: () => number;
  /** Outbox messages that are dead (given up on); may query the database. */
  deadLetters?: () => Promise<number>;
}

/** Latency buckets, seconds: a capture should land well under 50 ms. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** The route label of a request no route matched (the path itself would be unbounded). */
export const UNMATCHED_ROUTE = "unmatched";

/** One node's metrics: a middleware that counts requests and the `/metrics` route. */
export class GatewayMetrics {
  /** The registry; register further metrics of the node here. */
  readonly registry = new Registry();
  readonly #requests: Counter<"method" | "route" | "status">;
  readonly #latency: Histogram<"method" | "route">;
  readonly #bots: Counter<"reason">;

  /** Creates the metrics; gauges read `sources` at each scrape. */
  constructor(sources: MetricsSources = {}) {
    const registers = [this.registry];
    this.#requests = new Counter({
      name: "cove_http_requests_total",
      help: "HTTP requests answered, by method, route pattern and status",
      labelNames: ["method", "route", "status"],
      registers,
    });
    this.#latency = new Histogram({
      name: "cove_http_request_duration_seconds",
      help: "Time to answer an HTTP request (to the response head for streams)",
      labelNames: ["method", "route"],
      buckets: BUCKETS,
      registers,
    });
    this.#bots = new Counter({
      name: "cove_widget_bot_submissions_total",
      help: "Widget submissions dropped as bots, by reason",
      labelNames: ["reason"],
      registers,
    });
    const { streamConnections, activeActors, deadLetters } = sources;
    if (streamConnections) {
      new Gauge({
        name: "cove_stream_connections",
        help: "Open WebSocket and SSE stream connections on this node",
        registers,
        collect() {
          this.set(streamConnections());
        },
      });
    }
    if (activeActors) {
      new Gauge({
        name: "cove_actors_active",
        help: "Actors active (in memory) on this node",
        registers,
        collect() {
          this.set(activeActors());
        },
      });
    }
    if (deadLetters) {
      new Gauge({
        name: "cove_outbox_dead",
        help: "Outbox messages given up on (dead letters), all tenants",
        registers,
        async collect() {
          // A failing database must not fail the scrape (the other metrics still help), nor
          // read as zero dead letters: NaN says "unknown".
          try {
            this.set(await deadLetters());
          } catch {
            this.set(NaN);
          }
        },
      });
    }
  }

  /** Counts a widget submission dropped as a bot. */
  botDropped(reason: string): void {
    this.#bots.inc({ reason });
  }

  /**
   * Middleware that times and counts every request passing it. Put it first:
   * routes registered before it (the health probes) are not counted.
   */
  middleware(): MiddlewareHandler {
    return async (c, next) => {
      const started = performance.now();
      try {
        await next();
      } finally {
        const route = routeOf(c);
        const method = c.req.method;
        this.#requests.inc({ method, route, status: String(c.res.status) });
        this.#latency.observe({ method, route }, (performance.now() - started) / 1000);
      }
    };
  }

  /** The `/metrics` route, to be mounted at the root. */
  routes(): GatewayApp {
    const app = new Hono();
    app.get("/metrics", async (c) => {
      const text = await this.registry.metrics();
      return c.body(text, 200, { "content-type": this.registry.contentType });
    });
    return app;
  }

  /** The exposition text, as `/metrics` serves it. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}

/** The pattern of the route that answered, e.g. `/v1/leads/:id`; never the raw path. */
function routeOf(c: Parameters<MiddlewareHandler>[0]): string {
  let path: string | undefined;
  try {
    path = routePath(c);
  } catch {
    path = undefined;
  }
  // The catch-all middleware (this one) answering means no route did.
  if (!path || path === "*" || path === "/*") return UNMATCHED_ROUTE;
  return path;
}
