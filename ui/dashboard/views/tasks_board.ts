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
import { html, nothing } from "lit";
import { baseStyles } from "../_styles.ts";
import type { LiveTick } from "../live.ts";
import { DashboardView } from "./_view.ts";
import { boardStyles } from "./_tasks_styles.ts";
import {
  boardPath,
  COLUMNS,
  type Member,
  NO_FILTERS,
  type TaskFilters,
  type TaskMove,
  type TaskRow,
  tasksPath,
  type TaskStatus,
} from "./_tasks_model.ts";
import { renderTaskCard } from "./_tasks_card.ts";
import { type Column, columnStyles, renderColumns } from "./_tasks_columns.ts";
import { createFailure, renderCreateForm, renderFilters } from "./_tasks_form.ts";
import { LeadNamer } from "./_tasks_leads.ts";

/** Tasks per page of a column. */
export const TASKS_PAGE = 50;
/** The list route's largest page: a re-read keeps at most this many of a column. */
const MAX_PAGE = 200;

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
  static override styles = [baseStyles, boardStyles, columnStyles];

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
  readonly #leadNamer = new LeadNamer();

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
    await this.#leadNamer.name(this, () => this.#allTasks().map((t) => t.leadId));
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
      const failure = createFailure(error);
      this.createIssues = failure.issues;
      this.createError = failure.error;
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
      ${renderFilters({
        filters: this.filters,
        members: this.members,
        creating: this.creating !== "closed",
        setFilters: (change) => this.#setFilters(change),
        // A method, not a closure: lit calls a listener with the view as `this`.
        toggleCreate: this.#toggleCreate,
      })} ${renderCreateForm({
        creating: this.creating,
        leads: this.leads,
        issues: this.createIssues,
        error: this.createError,
        submit: this.#create,
      })} ${this.teamError
        ? html`<p class="error" role="alert">${this.teamError}</p>`
        : nothing} ${this.#renderBoard()}
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
      ${renderColumns({
        columns: this.columns,
        filtered,
        card: (t) => this.#renderCard(t),
        loadMore: (status) => this.#loadMore(status),
      })}
    `;
  }

  #renderCard(t: TaskRow) {
    return renderTaskCard(t, {
      busy: this.busy.has(t.taskId),
      error: this.cardErrors.get(t.taskId),
      fresh: this.fresh.has(t.taskId),
      leadName: this.leads.get(t.leadId) ?? t.leadId,
      assigneeName: t.assignee ? this.#memberName(t.assignee) : "Unassigned",
      members: this.members,
      assign: () => this.#assign(t),
      move: (move: TaskMove) => this.#move(t, move),
    });
  }
}
