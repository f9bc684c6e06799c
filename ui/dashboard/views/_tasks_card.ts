/**
 * A task's card on the board: title, type and priority, lead, assignee,
 * due time (overdue said in words), and a button for every move the task
 * actor allows from its status, so the board needs no dragging. Kept apart
 * from the view, which owns the state and the calls; this draws only what
 * it is given.
 *
 * @module
 */
import { html, nothing } from "lit";
import { href } from "../router.ts";
import {
  assignable,
  dueLabel,
  isOverdue,
  type Member,
  movesFrom,
  type TaskMove,
  type TaskRow,
} from "./_tasks_model.ts";

const MOVE_LABELS: Record<TaskMove, string> = {
  complete: "Mark done",
  cancel: "Cancel task",
  reopen: "Reopen",
};

/** What a task's card shows beyond the task, and what its buttons do. */
export interface TaskCard {
  /** A move of this task is in flight. */
  busy: boolean;
  /** Why the last move failed, if it did. */
  error: string | undefined;
  /** The task arrived live since the board was opened. */
  fresh: boolean;
  leadName: string;
  assigneeName: string;
  members: Member[];
  assign(): void;
  move(move: TaskMove): void;
}

/** One task's card. */
export function renderTaskCard(t: TaskRow, c: TaskCard) {
  const { busy, error } = c;
  const overdue = isOverdue(t, Date.now());
  const titleId = `title-${t.taskId}`;
  return html`
    <article class="card" id="card-${t.taskId}" tabindex="-1" data-task-id=${t.taskId}
      data-status=${t.status} ?data-fresh=${c.fresh}
      aria-labelledby=${titleId} aria-busy=${busy ? "true" : "false"}>
      <h4 id=${titleId}>${t.title}</h4>
      <p class="muted">${t.type} · ${t.priority} priority${c.fresh ? " · new" : ""}</p>
      <p>Lead: <a href=${href("lead", { id: t.leadId })}>${c.leadName}</a></p>
      <p>Assignee: ${c.assigneeName}</p>
      <p>Due: <time datetime=${new Date(t.dueAt).toISOString()}>${dueLabel(t.dueAt)}</time>
        ${overdue ? html`<span class="badge overdue">Overdue</span>` : nothing}</p>
      <div class="actions">
        ${assignable(t.status) && c.members.length > 0
          ? html`
            <div class="field">
              <label for="assign-${t.taskId}">${t.assignee ? "Reassign to" : "Assign to"}</label>
              <select id="assign-${t.taskId}" aria-describedby=${error
                ? `error-${t.taskId}`
                : nothing}>
                ${c.members.map((m) =>
                  html`<option value=${m.id} ?selected=${m.id === t.assignee}>${m.name}${
                    m.available ? "" : " (away)"
                  }</option>`
                )}
              </select>
            </div>
            <button class="quiet" ?disabled=${busy} aria-label="Assign ${t.title}"
              @click=${c.assign}>Assign</button>
          `
          : nothing}
        ${movesFrom(t.status).map((move) =>
          html`
            <button class=${move === "cancel" ? "quiet" : ""} ?disabled=${busy}
              aria-label="${MOVE_LABELS[move]}: ${t.title}" data-move=${move}
              @click=${() => c.move(move)}>${MOVE_LABELS[move]}</button>
          `
        )}
      </div>
      ${error
        ? html`<p id="error-${t.taskId}" class="field-error" role="alert">${error}</p>`
        : nothing}
    </article>
  `;
}
