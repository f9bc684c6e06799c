/**
 * The dashboard's REST calls: the session's access token as a Bearer, one
 * renewal and retry on a 401, and errors that say which call failed.
 *
 * @module
 */
import type { Session } from "./session.ts";

/** A REST call that failed; `status` 0 means the gateway was not reached. */
export class ApiError extends Error {
  /** `status` is the HTTP status, or 0 for a network failure. */
  constructor(message: string, readonly status: number) {
    super(message);
    this.name = "ApiError";
  }
}

/** A GET of the gateway's REST API; see the module doc. */
export type ApiGet = <T>(path: string) => Promise<T>;

/** Builds {@link ApiGet} over `session`, against `baseUrl` (default: same origin). */
export function createApi(session: Session, baseUrl = "", fetchFn: typeof fetch = fetch): ApiGet {
  const base = baseUrl.replace(/\/+$/, "");
  const get = async <T>(path: string, retried = false): Promise<T> => {
    const token = await session.accessToken();
    let res: Response;
    try {
      res = await fetchFn(base + path, { headers: { authorization: `Bearer ${token}` } });
    } catch {
      throw new ApiError(`GET ${path}: the gateway could not be reached`, 0);
    }
    if (res.status === 401 && !retried) {
      await res.body?.cancel();
      if (await session.refresh()) return get<T>(path, true);
      throw new ApiError(`GET ${path}: signed out`, 401);
    }
    const body = await res.json().catch(() => null);
    if (!res.ok) {
      throw new ApiError(
        `GET ${path}: ${body?.error?.message ?? `HTTP ${res.status}`}`,
        res.status,
      );
    }
    return body as T;
  };
  return (path) => get(path);
}
