/**
 * The tasks board's forms: the filter toolbar (assignee, type, overdue,
 * and the "New task" button) and the create-task form, with how a refused
 * create is split onto its fields. Kept apart from the view, which owns
 * the state and the calls; these draw only what they are given.
 *
 * @module
 */
import { html, nothing } from "lit";
import { ApiError, splitIssues } from "../api.ts";
import { type Member, PRIORITIES, TASK_TYPES, type TaskFilters } from "./_tasks_model.ts";

const CREATE_FIELDS = ["leadId", "title", "type", "priority", "dueAt"] as const;

/** A refused create: messages for the fields it names, and the rest for the form. */
export function createFailure(error: unknown): { issues: Record<string, string>; error: string } {
  const issues = error instanceof ApiError ? error.issues : [];
  const { byField, rest } = splitIssues(issues, CREATE_FIELDS);
  return {
    issues: byField,
    error: rest.length > 0 || issues.length === 0
      ? [...(issues.length === 0 ? [(error as Error).message] : []), ...rest].join("; ")
      : "",
  };
}

/** What the filter toolbar shows and does. */
export interface FilterBar {
  filters: TaskFilters;
  members: Member[];
  /** Whether the create form is open. */
  creating: boolean;
  setFilters(change: Partial<TaskFilters>): void;
  toggleCreate(): void;
}

/** The filters and the button that opens the create form. */
export function renderFilters(b: FilterBar) {
  const f = b.filters;
  return html`
    <div class="toolbar">
      <form class="toolbar" aria-label="Filter tasks" @submit=${(e: Event) => e.preventDefault()}>
        <div class="field">
          <label for="filter-assignee">Assignee</label>
          <select id="filter-assignee" @change=${(e: Event) =>
            b.setFilters({ assignee: (e.target as HTMLSelectElement).value })}>
          <option value="" ?selected=${f.assignee === ""}>Anyone</option>
          ${b.members.map((m) =>
            html`<option value=${m.id} ?selected=${f.assignee === m.id}>${m.name}</option>`
          )}
        </select>
        </div>
        <div class="field">
          <label for="filter-type">Type</label>
          <select id="filter-type" @change=${(e: Event) =>
            b.setFilters({
              type: (e.target as HTMLSelectElement).value as TaskFilters["type"],
            })}>
          <option value="" ?selected=${f.type === ""}>Any type</option>
          ${TASK_TYPES.map((t) => html`<option value=${t} ?selected=${f.type === t}>${t}</option>`)}
        </select>
        </div>
        <label class="check" for="filter-overdue">
        <input type="checkbox" id="filter-overdue" .checked=${f.overdueOnly}
          @change=${(e: Event) =>
            b.setFilters({ overdueOnly: (e.target as HTMLInputElement).checked })}>
        Overdue only
      </label>
      </form>
      <button type="button" class="quiet" aria-expanded=${b.creating}
        aria-controls="create-panel" @click=${b.toggleCreate}>New task</button>
    </div>
  `;
}

/** What the create-task form shows and does. */
export interface CreateForm {
  creating: "closed" | "open" | "submitting";
  /** Lead ids and the names they are suggested by. */
  leads: Map<string, string>;
  issues: Record<string, string>;
  error: string;
  submit(e: SubmitEvent): void;
}

/** The create-task panel, or nothing while it is closed. */
export function renderCreateForm(c: CreateForm) {
  if (c.creating === "closed") return nothing;
  const issue = (field: string) => c.issues[field];
  const described = (field: string) => issue(field) ? `new-${field}-error` : nothing;
  const error = (field: string) =>
    issue(field)
      ? html`<p id="new-${field}-error" class="field-error" role="alert">${issue(field)}</p>`
      : nothing;
  return html`
    <section id="create-panel" class="panel" aria-labelledby="create-title">
      <h3 id="create-title">New task</h3>
      <form @submit=${c.submit} novalidate>
        <div class="field">
          <label for="new-leadId">Lead</label>
          <input id="new-leadId" name="leadId" list="lead-options" autocomplete="off"
            required aria-invalid=${issue("leadId") ? "true" : "false"}
            aria-describedby=${described("leadId")}>
          <datalist id="lead-options">${[...c.leads].map(([id, name]) =>
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
          <button type="submit" ?disabled=${c.creating === "submitting"}>Create task</button>
        </div>
      </form>
      ${c.error ? html`<p class="error" role="alert">${c.error}</p>` : nothing}
    </section>
  `;
}
