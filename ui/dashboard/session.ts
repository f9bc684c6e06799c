/**
 * A person's session in the dashboard: the token pair from a one-time
 * sign-in code (`/signin#code=...`, as a first start prints), kept in
 * storage so a reload stays signed in, and renewed at `/v1/auth/refresh`
 * shortly before the access token expires (or after a 401). Runtime-neutral:
 * storage, fetch and the clock are injected, so it is tested in Deno.
 *
 * @module
 */
import type { KeyValueStorage } from "../widget/pending.ts";

/** What is kept per signed-in browser. */
export interface StoredSession {
  accessToken: string;
  refreshToken: string;
  tenant: string;
  role: string;
  /** Epoch ms when the access token expires. */
  expiresAt: number;
}

/** Where the session is stored. */
export const SESSION_STORAGE_KEY = "cove.dashboard.session";

/** Renew this long before the access token expires, so no request goes out with a dead one. */
export const REFRESH_MARGIN_MS = 60_000;

/** Options of {@link Session}. */
export interface SessionOptions {
  storage: KeyValueStorage;
  /** The gateway, e.g. `location.origin`. */
  baseUrl: string;
  fetch?: typeof fetch;
  now?: () => number;
}

/** Why signing in failed, in words for the sign-in screen. */
export class SignInError extends Error {
  /** `message` is shown to the person as it is. */
  constructor(message: string) {
    super(message);
    this.name = "SignInError";
  }
}

/** See the module doc. */
export class Session {
  readonly #opts: SessionOptions;
  readonly #listeners = new Set<(s: StoredSession | null) => void>();
  #refreshing: Promise<boolean> | undefined;

  /** A session over `opts.storage`; signed in if a pair is stored there. */
  constructor(opts: SessionOptions) {
    this.#opts = opts;
  }

  /** The stored session, or null when signed out. */
  get current(): StoredSession | null {
    try {
      const raw = this.#opts.storage.getItem(SESSION_STORAGE_KEY);
      const s = raw ? JSON.parse(raw) as StoredSession : null;
      return s && typeof s.accessToken === "string" && typeof s.refreshToken === "string"
        ? s
        : null;
    } catch {
      return null;
    }
  }

  /** Calls `listener` on every sign-in, renewal and sign-out; returns its remover. */
  onChange(listener: (s: StoredSession | null) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Redeems a one-time sign-in code; throws {@link SignInError} saying why it did not work. */
  async signIn(code: string): Promise<StoredSession> {
    let res: Response;
    try {
      res = await this.#fetch(`${this.#base()}/v1/auth/signin`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ code }),
      });
    } catch {
      throw new SignInError("The server could not be reached. Try the link again in a moment.");
    }
    const body = await res.json().catch(() => ({}));
    if (!res.ok) {
      throw new SignInError(
        `Sign-in failed: ${body?.error?.message ?? `HTTP ${res.status}`}. ` +
          "Ask an admin for a new link.",
      );
    }
    const s: StoredSession = {
      accessToken: body.accessToken,
      refreshToken: body.refreshToken,
      tenant: body.tenant,
      role: body.role,
      expiresAt: this.#now() + body.expiresIn * 1000,
    };
    this.#store(s);
    return s;
  }

  /** A live access token, renewed first when it is about to expire; throws when signed out. */
  async accessToken(): Promise<string> {
    const s = this.current;
    if (!s) throw new SignInError("Signed out.");
    if (s.expiresAt - REFRESH_MARGIN_MS > this.#now()) return s.accessToken;
    if (!await this.refresh()) throw new SignInError("Your session ended. Sign in again.");
    return this.current!.accessToken;
  }

  /**
   * Renews the pair once for every caller waiting; false (and signed out)
   * when the refresh token is refused. A network failure keeps the session.
   */
  refresh(): Promise<boolean> {
    this.#refreshing ??= (async () => {
      const s = this.current;
      if (!s) return false;
      try {
        const res = await this.#fetch(`${this.#base()}/v1/auth/refresh`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ refreshToken: s.refreshToken }),
        });
        if (res.status === 401 || res.status === 400) {
          await res.body?.cancel();
          this.signOut();
          return false;
        }
        if (!res.ok) {
          await res.body?.cancel();
          return false;
        }
        const pair = await res.json();
        this.#store({
          ...s,
          accessToken: pair.accessToken,
          refreshToken: pair.refreshToken,
          expiresAt: this.#now() + pair.expiresIn * 1000,
        });
        return true;
      } catch {
        return false;
      } finally {
        this.#refreshing = undefined;
      }
    })();
    return this.#refreshing;
  }

  /** Forgets the tokens. */
  signOut(): void {
    try {
      this.#opts.storage.removeItem(SESSION_STORAGE_KEY);
    } catch { /* nothing stored */ }
    for (const l of this.#listeners) l(null);
  }

  #store(s: StoredSession): void {
    this.#opts.storage.setItem(SESSION_STORAGE_KEY, JSON.stringify(s));
    for (const l of this.#listeners) l(s);
  }

  #base(): string {
    return this.#opts.baseUrl.replace(/\/+$/, "");
  }

  #fetch(url: string, init: RequestInit): Promise<Response> {
    return (this.#opts.fetch ?? fetch)(url, init);
  }

  #now(): number {
    return (this.#opts.now ?? Date.now)();
  }
}
