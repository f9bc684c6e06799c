/**
 * The tasks board's columns, one per status: their layout (one, two or
 * four side by side as the screen widens), their headings with counts, and
 * their empty, failed and "more" states. Kept apart from the view, which
 * owns the state and the calls; this draws only what it is given.
 *
 * @module
 */
import { css, html, nothing, type TemplateResult } from "lit";
import { COLUMNS, type TaskRow, type TaskStatus } from "./_tasks_model.ts";

/** A column: its tasks, the cursor of its next page, and why reading that page failed. */
export interface Column {
  items: TaskRow[];
  next: string | null;
  error: string;
}

/** Styles of the columns (and of the filter form, a toolbar inside the toolbar). */
export const columnStyles = css`
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
`;

/** What the columns show beyond their tasks, and what their buttons do. */
export interface ColumnsView {
  columns: Record<TaskStatus, Column>;
  /** Whether a filter is set (an empty column then says nothing matches). */
  filtered: boolean;
  card(t: TaskRow): TemplateResult;
  loadMore(status: TaskStatus): void;
}

/** Every status's column, in the board's order. */
export function renderColumns(v: ColumnsView) {
  return html`
    <div class="columns">
      ${COLUMNS.map(([status, label]) => {
        const column = v.columns[status];
        return html`
          <section class="column" data-status=${status} aria-labelledby="col-${status}">
            <h3 id="col-${status}">${label} <span class="muted">(${column.items
              .length}${column.next ? "+" : ""})</span></h3>
            ${column.error
              ? html`<p class="error" role="alert">More could not be read: ${column.error}</p>`
              : nothing}
            ${column.items.length === 0
              ? html`<p class="muted">No ${label.toLowerCase()} tasks${
                v.filtered ? " match the filters" : ""
              }.</p>`
              : html`<ul class="plain">${
                column.items.map((t) => html`<li>${v.card(t)}</li>`)
              }</ul>`}
            ${column.next
              ? html`<button class="quiet" @click=${() => v.loadMore(status)}>
                  More ${label.toLowerCase()} tasks</button>`
              : nothing}
          </section>
        `;
      })}
    </div>
  `;
}
