/**
 * Typed errors with a stable snake_case `code`. One boundary (the gateway)
 * turns them into HTTP responses; `public` says whether the message and
 * details may be shown to the caller.
 *
 * @module
 */

/** One failing input: the dotted path of the field and what was wrong with it. */
export interface FieldIssue {
  /** Dotted path such as `items.0.price`; empty for the value as a whole. */
  path: string;
  /** What was wrong, meant for the caller to read. */
  message: string;
}

/** Base class of every error Cove raises on purpose. */
export class CoveError extends Error {
  /** Stable machine-readable code, e.g. `validation_failed`. */
  readonly code: string;
  /** HTTP status the gateway answers with. */
  readonly status: number;
  /** Whether message and details may leave the process. */
  readonly public: boolean;
  /** Structured details for the caller (public errors only). */
  readonly details: Record<string, unknown>;

  /** Defaults to a private 500: an error is shown to callers only when it says so. */
  constructor(
    code: string,
    message: string,
    opts: { status?: number; public?: boolean; details?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.status = opts.status ?? 500;
    this.public = opts.public ?? false;
    this.details = opts.details ?? {};
  }
}

/** Input failed its schema; `issues` names every failing field. */
export class ValidationError extends CoveError {
  /** Every failing field, also sent to the caller as `details.issues`. */
  readonly issues: FieldIssue[];
  /** `what` names the input, e.g. `counter.add input`; a public 400. */
  constructor(what: string, issues: FieldIssue[]) {
    const list = issues.map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ");
    super("validation_failed", `invalid ${what}: ${list}`, {
      status: 400,
      public: true,
      details: { issues },
    });
    this.issues = issues;
  }
}

/** An actor's mailbox is full; the caller should back off and retry. */
export class OverloadedError extends CoveError {
  /** `actor` is the actor's key, `limit` its mailbox size; a public 503. */
  constructor(actor: string, limit: number) {
    super("overloaded", `actor ${actor} has ${limit} messages waiting; retry later`, {
      status: 503,
      public: true,
      details: { actor, limit },
    });
  }
}

/** A call did not complete in time. The command may still take effect. */
export class TimeoutError extends CoveError {
  /** `what` names the call, `ms` the timeout it exceeded; a public 504. */
  constructor(what: string, ms: number) {
    super("timeout", `${what} did not complete within ${ms} ms`, {
      status: 504,
      public: true,
      details: { timeoutMs: ms },
    });
  }
}

/** A write carried an epoch older than the actor's current one: another activation owns it. */
export class FencedError extends CoveError {
  /** `epoch` is the superseded activation's; a private 409, since callers cannot act on it. */
  constructor(actor: string, epoch: number) {
    super("fenced", `activation of ${actor} at epoch ${epoch} was superseded`, {
      status: 409,
      public: false,
      details: { actor, epoch },
    });
  }
}

/** The named thing does not exist (unknown actor type, command, query). */
export class NotFoundError extends CoveError {
  /** `what` names the missing thing, e.g. `command counter.add`; a public 404. */
  constructor(what: string) {
    super("not_found", `${what} not found`, { status: 404, public: true });
  }
}

/** The system is shutting down or stopped and takes no new work. */
export class UnavailableError extends CoveError {
  /** `why` is shown to the caller as the message; a public 503. */
  constructor(why: string) {
    super("unavailable", why, { status: 503, public: true });
  }
}

/** Configuration is invalid; start-up stops with this message. */
export class ConfigError extends CoveError {
  /** `issues` name the bad variables; private, since it is raised at start-up, not to a caller. */
  constructor(issues: FieldIssue[]) {
    super(
      "config_invalid",
      "invalid configuration:\n" + issues.map((i) => `  ${i.path}: ${i.message}`).join("\n"),
      { status: 500, public: false, details: { issues } },
    );
  }
}

/** Converts zod issues into field issues with dotted paths. */
export function fieldIssues(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
): FieldIssue[] {
  return issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
}
