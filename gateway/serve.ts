/**
 * The HTTP server port over `Deno.serve`: the only module that starts a
 * listener, so the app itself stays runtime-neutral.
 *
 * @module
 */

/** Anything that answers a request, e.g. a Hono app. */
export interface FetchHandler {
  /** Answers one request; a throw becomes `Deno.serve`'s bare 500, so apps catch their own. */
  fetch(request: Request): Response | Promise<Response>;
}

/** Where to listen. */
export interface ServeOptions {
  /** TCP port; 0 picks a free one (see {@link Server.port}). */
  port: number;
  /** Interface to bind, e.g. `0.0.0.0` for all or `127.0.0.1` for local only. */
  hostname: string;
  /** Aborting it shuts the server down like {@link Server.shutdown}. */
  signal?: AbortSignal;
}

/** A listening server. */
export interface Server {
  /** The port actually bound. */
  readonly port: number;
  /** The address actually bound. */
  readonly hostname: string;
  /** Resolves once the server has stopped and every request in flight has finished. */
  readonly finished: Promise<void>;
  /** Stops accepting connections and waits for requests in flight. Idempotent. */
  shutdown(): Promise<void>;
}

/** Starts listening; returns once the socket is bound. */
export function serve(handler: FetchHandler, options: ServeOptions): Server {
  const server = Deno.serve({
    port: options.port,
    hostname: options.hostname,
    ...(options.signal ? { signal: options.signal } : {}),
    // The caller logs its own start-up line.
    onListen: () => {},
  }, (request) => handler.fetch(request));
  const addr = server.addr as Deno.NetAddr;
  let stopping: Promise<void> | undefined;
  return {
    port: addr.port,
    hostname: addr.hostname,
    finished: server.finished,
    shutdown: () => stopping ??= server.shutdown(),
  };
}
