/**
 * `<cove-tasks-board>`: the team's tasks in one column per status (open,
 * in progress, done, cancelled), each read a page at a time with its own
 * cursor, soonest due first. Every move the task actor allows is a button
 * on the card (assign to a member, mark done, cancel, reopen), so the board
 * works from the keyboard with nothing to drag; a moved card keeps the
 * focus in its new column. Filters (assignee, type, overdue) are the list
 * route's own. Re-read on live `task` and `team` events; tasks that arrive
 * live are marked and announced.
 *
 * @module
 */
import { css, html, nothing } from "lit";
import { ApiError } from "../api.ts";
import { href } from "../router.ts";
import { baseStyles } from "../_styles.ts";
import { DashboardView, type LiveTick } from "./_view.ts";
import { boardStyles } from "./_tasks_styles.ts";
import {
  assignable,
  boardPath,
  COLUMNS,
  dueLabel,
  isOverdue,
  type Member,
  movesFrom,
  NO_FILTERS,
  PRIORITIES,
  splitIssues,
  TASK_TYPES,
  type TaskFilters,
  type TaskMove,
  type TaskRow,
  tasksPath,
  type TaskStatus,
} from "./_tasks_model.ts";

/** Tasks per page of a column. */
export const TASKS_PAGE = 50;
/** Leads asked for by id per load when the newest leads' list did not name them. */
const LEAD_LOOKUPS = 5;
/** The list route's largest page: a re-read keeps at most this many of a column. */
const MAX_PAGE = 200;

/** A column: its tasks, the cursor of its next page, and why reading that page failed. */
interface Column {
  items: TaskRow[];
  next: string | null;
  error: string;
}

/** The part of `GET /v1/leads/{id}` that names the lead. */
interface LeadContact {
  contact?: { name?: string; email?: string };
}

interface LeadName {
  lead_id: string;
  name: string | null;
  email: string | null;
}

const MOVE_LABELS: Record<TaskMove, string> = {
  complete: "Mark done",
  cancel: "Cancel task",
  reopen: "Reopen",
};

const CREATE_FIELDS = ["leadId", "title", "type", "priority", "dueAt"] as const;

const emptyColumns = (): Record<TaskStatus, Column> => ({
  open: { items: [], next: null, error: "" },
  assigned: { items: [], next: null, error: "" },
  done: { items: [], next: null, error: "" },
  cancelled: { items: [], next: null, error: "" },
});

/** See the module doc. */
export class CoveTasksBoard extends DashboardView {
  static override properties = {
    ...DashboardView.properties,
    phase: { state: true },
    columns: { state: true },
    members: { state: true },
    leads: { state: true },
    filters: { state: true },
    busy: { state: true },
    cardErrors: { state: true },
    fresh: { state: true },
    announcement: { state: true },
    creating: { state: true },
    createIssues: { state: true },
    createError: { state: true },
    teamError: { state: true },
    boardError: { state: true },
  };
  static override styles = [
    baseStyles,
    boardStyles,
    css`
      .columns {
        display: grid;
        gap: 1rem;
        grid-template-columns: minmax(0, 1fr);
      }
      @media (min-width: 40rem) {
        .columns {
          grid-template-columns: repeat(2, minmax(0, 1fr));
        }
      }
      @media (min-width: 64rem) {
        .columns {
          grid-template-columns: repeat(4, minmax(0, 1fr));
        }
      }
      .column {
        background: #f3f3f6;
        border-radius: 0.5rem;
        padding: 0.75rem;
        display: grid;
        gap: 0.5rem;
        align-content: start;
      }
      .toolbar .toolbar {
        margin: 0;
      }
      .column h3 {
        margin: 0;
        font-size: 1.0625rem;
      }
    `,
  ];

  declare phase: "pending" | "ready" | "error";
  declare columns: Record<TaskStatus, Column>;
  declare members: Member[];
  declare leads: Map<string, string>;
  declare filters: TaskFilters;
  /** Tasks with a move in flight. */
  declare busy: ReadonlySet<string>;
  declare cardErrors: ReadonlyMap<string, string>;
  /** Tasks that arrived live since the board was opened. */
  declare fresh: ReadonlySet<string>;
  declare announcement: string;
  /** Whether the create form is open; `submitting` while its POST is in flight. */
  declare creating: "closed" | "open" | "submitting";
  declare createIssues: Record<string, string>;
  declare createError: string;
  declare teamError: string;
  /** Why the last re-read failed, while the board shows what it read before. */
  declare boardError: string;
  #createKey = crypto.randomUUID();
  /** The filters the shown columns were read with (null before the first read). */
  #shownFilters: TaskFilters | null = null;
  /** Whether the team may have changed since it was read (first load, a `team` tick). */
  #teamStale = true;
  /** Whether the newest leads have been read for names. */
  #leadsListed = false;
  /** Leads asked for by id that could not be named. */
  readonly #nameless = new Set<string>();

  constructor() {
    super();
    this.phase = "pending";
    this.columns = emptyColumns();
    this.members = [];
    this.leads = new Map();
    this.filters = NO_FILTERS;
    this.busy = new Set();
    this.cardErrors = new Map();
    this.fresh = new Set();
    this.announcement = "";
    this.creating = "closed";
    this.createIssues = {};
    this.createError = "";
    this.teamError = "";
    this.boardError = "";
  }

  protected override wants(tick: LiveTick): boolean {
    if (tick.kinds.has("team")) this.#teamStale = true;
    return tick.kinds.has("task") || tick.kinds.has("team");
  }

  /**
   * One read of the board (every column's first page, as many as each shows,
   * within the route's page limit), plus the team when it may have changed:
   * a live tick costs one or two requests against the caller's rate limit.
   */
  protected override async load(): Promise<void> {
    const filters = this.filters;
    const shown = Math.max(...COLUMNS.map(([s]) => this.columns[s].items.length));
    const readTeam = this.#teamStale;
    this.#teamStale = false;
    const [team, board] = await Promise.allSettled([
      readTeam ? this.api.get<{ members: Member[] }>("/v1/team") : null,
      this.api.get<{ columns: Record<TaskStatus, { items: TaskRow[]; next: string | null }> }>(
        boardPath(filters, Math.min(MAX_PAGE, Math.max(TASKS_PAGE, shown))),
      ),
    ]);
    if (filters !== this.filters) return; // A newer filter's load follows.
    if (team.status === "rejected") {
      this.#teamStale = true;
      this.teamError = `The team could not be read: ${(team.reason as Error).message}`;
    } else if (team.value) {
      this.members = team.value.members;
      this.teamError = "";
    }
    if (board.status === "rejected") {
      this.boardError = (board.reason as Error).message;
      if (this.phase !== "ready") this.phase = "error";
      return;
    }
    this.boardError = "";
    // Only a re-read of the same filter finds new tasks; a new filter's tasks are not news.
    const compare = this.#shownFilters === filters;
    const known = new Set(this.#allTasks().map((t) => t.taskId));
    const columns = emptyColumns();
    for (const [status] of COLUMNS) {
      const page = board.value.columns[status];
      columns[status] = { items: page.items, next: page.next, error: "" };
    }
    this.columns = columns;
    this.phase = "ready";
    this.#shownFilters = filters;
    const added = compare ? this.#allTasks().filter((t) => !known.has(t.taskId)) : [];
    if (added.length > 0) {
      this.fresh = new Set([...this.fresh, ...added.map((t) => t.taskId)]);
      this.announcement = `${added.length === 1 ? "New task" : `${added.length} new tasks`}: ${
        added.map((t) => t.title).join(", ")
      }`;
    }
    await this.#nameLeads();
  }

  /**
   * Names for lead links and the create form's suggestions. The newest
   * leads come in one read (again while more leads are unnamed than a few);
   * a few leads it does not name (newer than the list's read model, or
   * older than its page) are then asked for one by one, each once.
   */
  async #nameLeads(): Promise<void> {
    const unnamed = () => [
      ...new Set(
        this.#allTasks().map((t) => t.leadId).filter((id) =>
          !this.leads.has(id) && !this.#nameless.has(id)
        ),
      ),
    ];
    if (!this.#leadsListed || unnamed().length > LEAD_LOOKUPS) {
      try {
        const page = await this.api.get<{ items: LeadName[] }>("/v1/leads?limit=200");
        this.leads = new Map([
          ...this.leads,
          ...page.items.map((l) => [l.lead_id, l.name ?? l.email ?? l.lead_id] as const),
        ]);
        this.#leadsListed = true;
      } catch {
        // Only names are missing then: links show the lead's id and the form takes an id.
        return;
      }
    }
    const asked = unnamed().slice(0, LEAD_LOOKUPS);
    if (asked.length === 0) return;
    const found = await Promise.all(asked.map(async (id) => {
      try {
        const lead = await this.api.get<LeadContact>(`/v1/leads/${encodeURIComponent(id)}`);
        return [id, lead.contact?.name ?? lead.contact?.email ?? id] as const;
      } catch {
        this.#nameless.add(id); // Shown by its id from now on, not asked for again.
        return null;
      }
    }));
    const named = found.filter((f) => f !== null);
    if (named.length > 0) this.leads = new Map([...this.leads, ...named]);
  }

  #allTasks(): TaskRow[] {
    return COLUMNS.flatMap(([status]) => this.columns[status].items);
  }

  async #loadMore(status: TaskStatus): Promise<void> {
    const column = this.columns[status];
    if (!column.next) return;
    try {
      const page = await this.api.get<{ items: TaskRow[]; next: string | null }>(
        tasksPath(status, this.filters, TASKS_PAGE, column.next),
      );
      const known = new Set(column.items.map((t) => t.taskId));
      this.columns = {
        ...this.columns,
        [status]: {
          items: [...column.items, ...page.items.filter((t) => !known.has(t.taskId))],
          next: page.next,
          error: "",
        },
      };
    } catch (error) {
      this.columns = {
        ...this.columns,
        [status]: { ...column, error: (error as Error).message },
      };
    }
  }

  #setFilters(change: Partial<TaskFilters>): void {
    this.filters = { ...this.filters, ...change };
    // A new filter starts every column over from its first page.
    this.columns = emptyColumns();
    this.phase = "pending";
    void this.reload();
  }

  /** Puts the task as the gateway answered it into its column, in due order. */
  #place(task: TaskRow): void {
    const columns = { ...this.columns };
    for (const [status] of COLUMNS) {
      columns[status] = {
        ...columns[status],
        items: columns[status].items.filter((t) => t.taskId !== task.taskId),
      };
    }
    const target = columns[task.status];
    target.items = [...target.items, task].sort((a, b) =>
      a.dueAt - b.dueAt || (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0)
    );
    this.columns = columns;
  }

  async #act(task: TaskRow, path: string, body: unknown, done: string): Promise<void> {
    this.busy = new Set([...this.busy, task.taskId]);
    const errors = new Map(this.cardErrors);
    errors.delete(task.taskId);
    this.cardErrors = errors;
    try {
      const reply = await this.api.send<{ task: TaskRow }>("POST", path, body);
      this.#place(reply.task);
      const label = COLUMNS.find(([s]) => s === reply.task.status)?.[1] ?? reply.task.status;
      this.announcement = `${done} "${reply.task.title}"; it is now in ${label}.`;
      await this.updateComplete;
      // The card was re-rendered in its new column: keep the keyboard user on it.
      this.renderRoot.querySelector<HTMLElement>(`#card-${CSS.escape(task.taskId)}`)?.focus();
    } catch (error) {
      this.cardErrors = new Map(this.cardErrors).set(task.taskId, (error as Error).message);
    } finally {
      const busy = new Set(this.busy);
      busy.delete(task.taskId);
      this.busy = busy;
    }
  }

  #move(task: TaskRow, move: TaskMove): Promise<void> {
    const verbs: Record<TaskMove, string> = {
      complete: "Marked done",
      cancel: "Cancelled",
      reopen: "Reopened",
    };
    return this.#act(
      task,
      `/v1/tasks/${encodeURIComponent(task.taskId)}/${move}`,
      {},
      verbs[move],
    );
  }

  #assign(task: TaskRow): Promise<void> {
    const select = this.renderRoot.querySelector<HTMLSelectElement>(
      `#assign-${CSS.escape(task.taskId)}`,
    );
    const memberId = select?.value ?? "";
    if (!memberId) {
      this.cardErrors = new Map(this.cardErrors).set(task.taskId, "Choose a team member.");
      return Promise.resolve();
    }
    return this.#act(
      task,
      `/v1/tasks/${encodeURIComponent(task.taskId)}/assign`,
      { memberId },
      "Assigned",
    );
  }

  async #create(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const text = (name: string) => String(data.get(name) ?? "").trim();
    const due = text("dueAt");
    if (!due) {
      this.createIssues = { dueAt: "Give a due date and time." };
      this.createError = "";
      return;
    }
    this.creating = "submitting";
    try {
      const reply = await this.api.send<{ task: TaskRow }>("POST", "/v1/tasks", {
        leadId: text("leadId"),
        title: text("title"),
        type: text("type"),
        priority: text("priority"),
        // datetime-local is the viewer's wall clock; Date reads it in the browser's zone.
        dueAt: new Date(due).toISOString(),
        idempotencyKey: this.#createKey,
      });
      this.#createKey = crypto.randomUUID();
      this.#place(reply.task);
      this.createIssues = {};
      this.createError = "";
      form.reset();
      const who = reply.task.assignee ? this.#memberName(reply.task.assignee) : "nobody yet";
      this.announcement = `Created "${reply.task.title}", assigned to ${who}.`;
    } catch (error) {
      const issues = error instanceof ApiError ? error.issues : [];
      const { byField, rest } = splitIssues(issues, CREATE_FIELDS);
      this.createIssues = byField;
      this.createError = rest.length > 0 || issues.length === 0
        ? [...(issues.length === 0 ? [(error as Error).message] : []), ...rest].join("; ")
        : "";
    } finally {
      if (this.creating === "submitting") this.creating = "open";
    }
  }

  /** Opens the create form with the keyboard on its first field, or closes it. */
  async #toggleCreate(): Promise<void> {
    this.creating = this.creating === "closed" ? "open" : "closed";
    if (this.creating === "closed") return;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>("#new-leadId")?.focus();
  }

  #memberName(id: string): string {
    return this.members.find((m) => m.id === id)?.name ?? id;
  }

  override render() {
    return html`
      <h2>Tasks</h2>
      <p class="visually-hidden" role="status" aria-live="polite">${this.announcement}</p>
      ${this.#renderFilters()} ${this.#renderCreate()} ${this.teamError
        ? html`<p class="error" role="alert">${this.teamError}</p>`
        : nothing} ${this.#renderBoard()}
    `;
  }

  #renderFilters() {
    const f = this.filters;
    return html`
      <div class="toolbar">
        <form class="toolbar" aria-label="Filter tasks" @submit=${(e: Event) => e.preventDefault()}>
          <div class="field">
            <label for="filter-assignee">Assignee</label>
            <select id="filter-assignee" @change=${(e: Event) =>
              this.#setFilters({ assignee: (e.target as HTMLSelectElement).value })}>
            <option value="" ?selected=${f.assignee === ""}>Anyone</option>
            ${this.members.map((m) =>
              html`<option value=${m.id} ?selected=${f.assignee === m.id}>${m.name}</option>`
            )}
          </select>
          </div>
          <div class="field">
            <label for="filter-type">Type</label>
            <select id="filter-type" @change=${(e: Event) =>
              this.#setFilters({
                type: (e.target as HTMLSelectElement).value as TaskFilters["type"],
              })}>
            <option value="" ?selected=${f.type === ""}>Any type</option>
            ${TASK_TYPES.map((t) =>
              html`<option value=${t} ?selected=${f.type === t}>${t}</option>`
            )}
          </select>
          </div>
          <label class="check" for="filter-overdue">
          <input type="checkbox" id="filter-overdue" .checked=${f.overdueOnly}
            @change=${(e: Event) =>
              this.#setFilters({ overdueOnly: (e.target as HTMLInputElement).checked })}>
          Overdue only
        </label>
        </form>
        <button type="button" class="quiet" aria-expanded=${this.creating !== "closed"}
          aria-controls="create-panel" @click=${this.#toggleCreate}>New task</button>
      </div>
    `;
  }

  #renderCreate() {
    if (this.creating === "closed") return nothing;
    const issue = (field: string) => this.createIssues[field];
    const described = (field: string) => issue(field) ? `new-${field}-error` : nothing;
    const error = (field: string) =>
      issue(field)
        ? html`<p id="new-${field}-error" class="field-error" role="alert">${issue(field)}</p>`
        : nothing;
    return html`
      <section id="create-panel" class="panel" aria-labelledby="create-title">
        <h3 id="create-title">New task</h3>
        <form @submit=${this.#create} novalidate>
          <div class="field">
            <label for="new-leadId">Lead</label>
            <input id="new-leadId" name="leadId" list="lead-options" autocomplete="off"
              required aria-invalid=${issue("leadId") ? "true" : "false"}
              aria-describedby=${described("leadId")}>
            <datalist id="lead-options">${[...this.leads].map(([id, name]) =>
              html`<option value=${id}>${name}</option>`
            )}</datalist>
            ${error("leadId")}
          </div>
          <div class="field">
            <label for="new-title">Title</label>
            <input id="new-title" name="title" required maxlength="200"
              aria-invalid=${issue("title") ? "true" : "false"} aria-describedby=${described(
                "title",
              )}>
            ${error("title")}
          </div>
          <div class="field">
            <label for="new-type">Type</label>
            <select id="new-type" name="type" aria-describedby=${described("type")}>
              ${TASK_TYPES.map((t) => html`<option value=${t}>${t}</option>`)}
            </select>
            ${error("type")}
          </div>
          <div class="field">
            <label for="new-priority">Priority</label>
            <select id="new-priority" name="priority" aria-describedby=${described("priority")}>
              ${PRIORITIES.map((p) =>
                html`<option value=${p} ?selected=${p === "medium"}>${p}</option>`
              )}
            </select>
            ${error("priority")}
          </div>
          <div class="field">
            <label for="new-dueAt">Due (your time)</label>
            <input id="new-dueAt" name="dueAt" type="datetime-local" required
              aria-invalid=${issue("dueAt") ? "true" : "false"} aria-describedby=${described(
                "dueAt",
              )}>
            ${error("dueAt")}
          </div>
          <div class="field">
            <button type="submit" ?disabled=${this.creating === "submitting"}>Create task</button>
          </div>
        </form>
        ${this.createError ? html`<p class="error" role="alert">${this.createError}</p>` : nothing}
      </section>
    `;
  }

  #renderBoard() {
    if (this.phase === "pending") return html`<p class="muted" role="status">Loading tasks...</p>`;
    if (this.phase === "error") {
      return html`
        <div role="alert">
          <p class="error">The tasks could not be read: ${this.boardError}</p>
          <button @click=${() => this.reload()}>Try again</button>
        </div>
      `;
    }
    const { assignee, type, overdueOnly } = this.filters;
    const filtered = Boolean(assignee || type || overdueOnly);
    return html`
      ${this.boardError
        ? html`<p class="error" role="alert">The board could not be refreshed: ${this.boardError}</p>`
        : nothing}
      <div class="columns">
        ${COLUMNS.map(([status, label]) => {
          const column = this.columns[status];
          return html`
            <section class="column" data-status=${status} aria-labelledby="col-${status}">
              <h3 id="col-${status}">${label} <span class="muted">(${column.items
                .length}${column.next ? "+" : ""})</span></h3>
              ${column.error
                ? html`<p class="error" role="alert">More could not be read: ${column.error}</p>`
                : nothing}
              ${column.items.length === 0
                ? html`<p class="muted">No ${label.toLowerCase()} tasks${
                  filtered ? " match the filters" : ""
                }.</p>`
                : html`<ul class="plain">${
                  column.items.map((t) => html`<li>${this.#renderCard(t)}</li>`)
                }</ul>`}
              ${column.next
                ? html`<button class="quiet" @click=${() => this.#loadMore(status)}>
                  More ${label.toLowerCase()} tasks</button>`
                : nothing}
            </section>
          `;
        })}
      </div>
    `;
  }

  #renderCard(t: TaskRow) {
    const busy = this.busy.has(t.taskId);
    const error = this.cardErrors.get(t.taskId);
    const overdue = isOverdue(t, Date.now());
    const titleId = `title-${t.taskId}`;
    return html`
      <article class="card" id="card-${t.taskId}" tabindex="-1" data-task-id=${t.taskId}
        data-status=${t.status} ?data-fresh=${this.fresh.has(t.taskId)}
        aria-labelledby=${titleId} aria-busy=${busy ? "true" : "false"}>
        <h4 id=${titleId}>${t.title}</h4>
        <p class="muted">${t.type} · ${t.priority} priority${this.fresh.has(t.taskId)
          ? " · new"
          : ""}</p>
        <p>Lead: <a href=${href("lead", { id: t.leadId })}>${this.leads.get(t.leadId) ??
          t.leadId}</a></p>
        <p>Assignee: ${t.assignee ? this.#memberName(t.assignee) : "Unassigned"}</p>
        <p>Due: <time datetime=${new Date(t.dueAt).toISOString()}>${dueLabel(t.dueAt)}</time>
          ${overdue ? html`<span class="badge overdue">Overdue</span>` : nothing}</p>
        <div class="actions">
          ${assignable(t.status) && this.members.length > 0
            ? html`
              <div class="field">
                <label for="assign-${t.taskId}">${t.assignee ? "Reassign to" : "Assign to"}</label>
                <select id="assign-${t.taskId}" aria-describedby=${error
                  ? `error-${t.taskId}`
                  : nothing}>
                  ${this.members.map((m) =>
                    html`<option value=${m.id} ?selected=${m.id === t.assignee}>${m.name}${
                      m.available ? "" : " (away)"
                    }</option>`
                  )}
                </select>
              </div>
              <button class="quiet" ?disabled=${busy} aria-label="Assign ${t.title}"
                @click=${() => this.#assign(t)}>Assign</button>
            `
            : nothing}
          ${movesFrom(t.status).map((move) =>
            html`
              <button class=${move === "cancel" ? "quiet" : ""} ?disabled=${busy}
                aria-label="${MOVE_LABELS[move]}: ${t.title}" data-move=${move}
                @click=${() => this.#move(t, move)}>${MOVE_LABELS[move]}</button>
            `
          )}
        </div>
        ${error
          ? html`<p id="error-${t.taskId}" class="field-error" role="alert">${error}</p>`
          : nothing}
      </article>
    `;
  }
}
