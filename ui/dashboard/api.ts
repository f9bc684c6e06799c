/**
 * The dashboard's REST calls: the session's access token as a Bearer, one
 * renewal and retry on a 401, and errors that carry the gateway's code and
 * the fields it named, so a form can show each next to its input.
 *
 * @module
 */
import type { Session } from "./session.ts";

/** One failing input as the gateway names it (`details.issues`). */
export interface FieldIssue {
  /** Dotted path of the field, e.g. `steps.0.template`. */
  path: string;
  message: string;
}

/**
 * The gateway's issues split by the form's fields: an issue goes to the
 * first field its path starts with (`attendee.email` to `attendee.email`,
 * `steps.0` to `steps`); the rest are the form's own.
 */
export function splitIssues(
  issues: readonly FieldIssue[],
  fields: readonly string[],
): { byField: Record<string, string>; rest: string[] } {
  const byField: Record<string, string> = {};
  const rest: string[] = [];
  for (const issue of issues) {
    const field = fields.find((f) => issue.path === f || issue.path.startsWith(`${f}.`));
    if (field === undefined) {
      rest.push(issue.path ? `${issue.path}: ${issue.message}` : issue.message);
    } else byField[field] = byField[field] ? `${byField[field]}; ${issue.message}` : issue.message;
  }
  return { byField, rest };
}

/** A REST call that failed; `status` 0 means the gateway was not reached. */
export class ApiError extends Error {
  /** `status` is the HTTP status, or 0 for a network failure. */
  constructor(
    message: string,
    readonly status: number,
    readonly code = "",
    readonly issues: readonly FieldIssue[] = [],
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Options of {@link Api.send}. */
export interface SendOptions {
  /** Sent as `content-type`; `body` is then sent as it is (e.g. CSV text). Default JSON. */
  contentType?: string;
  /** Sent as `Idempotency-Key`, so a retried click changes nothing twice. */
  idempotencyKey?: string;
}

/** The dashboard's REST client. */
export interface Api {
  /** GETs `path` (e.g. `/v1/leads?limit=50`) and answers its JSON. */
  get<T>(path: string): Promise<T>;
  /** Sends `body` (JSON unless `opts.contentType`) and answers the JSON reply (null if empty). */
  send<T>(
    method: "POST" | "PUT" | "PATCH" | "DELETE",
    path: string,
    body?: unknown,
    opts?: SendOptions,
  ): Promise<T>;
}

/** Builds {@link Api} over `session`, against `baseUrl` (default: same origin). */
export function createApi(session: Session, baseUrl = "", fetchFn: typeof fetch = fetch): Api {
  const base = baseUrl.replace(/\/+$/, "");
  const call = async <T>(
    method: string,
    path: string,
    body: unknown,
    opts: SendOptions,
    retried = false,
  ): Promise<T> => {
    const token = await session.accessToken();
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    let payload: BodyInit | undefined;
    if (body !== undefined) {
      headers["content-type"] = opts.contentType ?? "application/json";
      payload = opts.contentType ? body as BodyInit : JSON.stringify(body);
    }
    if (opts.idempotencyKey) headers["idempotency-key"] = opts.idempotencyKey;
    let res: Response;
    try {
      res = await fetchFn(base + path, { method, headers, body: payload });
    } catch {
      throw new ApiError(`${method} ${path}: the gateway could not be reached`, 0);
    }
    if (res.status === 401 && !retried) {
      await res.body?.cancel();
      if (await session.refresh()) return call<T>(method, path, body, opts, true);
      throw new ApiError(`${method} ${path}: signed out`, 401, "unauthorized");
    }
    const text = await res.text().catch(() => "");
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    if (!res.ok) {
      const err = (parsed as { error?: Record<string, unknown> } | null)?.error ?? {};
      const details = (err.details ?? {}) as { issues?: FieldIssue[] };
      throw new ApiError(
        `${method} ${path}: ${
          typeof err.message === "string" ? err.message : `HTTP ${res.status}`
        }`,
        res.status,
        typeof err.code === "string" ? err.code : "",
        Array.isArray(details.issues) ? details.issues : [],
      );
    }
    return parsed as T;
  };
  return {
    get: <T>(path: string) => call<T>("GET", path, undefined, {}),
    send: <T>(method: string, path: string, body?: unknown, opts: SendOptions = {}) =>
      call<T>(method, path, body, opts),
  };
}
