/**
 * The import view's job section (progress bar with its words, counts,
 * cancel, the rejected rows) and its list of recent imports, as templates
 * of the data the view holds.
 *
 * @module
 */
import { html, nothing } from "lit";
import { rowsText } from "./_import_csv.ts";
import {
  fieldLabel,
  type ImportProgress,
  type ImportSummary,
  STATUS_LABELS,
} from "./_import_shapes.ts";

/** What the job section can do, as the view provides it. */
export interface JobActions {
  /** The last read or the cancel failed: why. */
  error: string;
  cancelling: boolean;
  onCancel: () => void;
  /** Leaves the finished job for a new file. */
  onAnother: () => void;
  onDownload: () => void;
}

/** A job's progress bar, counts and actions, then its rejected rows. */
export function renderJob(job: ImportProgress, act: JobActions) {
  const running = job.status === "running";
  const text = rowsText(job.done, job.total);
  const issues = job.errors.flatMap((e) => e.issues.map((i) => ({ row: e.row, ...i })));
  return html`
    <section aria-labelledby="job-title" data-status=${job.status}>
      <h3 id="job-title">Import ${STATUS_LABELS[job.status] ?? job.status}</h3>
      <label for="job-progress">Rows imported</label>
      <progress id="job-progress" max=${Math.max(job.total, 1)} value=${job.done}
        aria-valuetext=${text}></progress>
      <p class="progress-text" role="status" aria-live="polite">
        ${text}${running ? "" : ` (${STATUS_LABELS[job.status] ?? job.status})`}
      </p>
      <dl class="counts">
        <div><dt>New leads</dt><dd data-count="created">${job.created}</dd></div>
        <div><dt>Merged into existing leads (duplicates)</dt>
          <dd data-count="merged">${job.merged}</dd></div>
        <div><dt>Already imported before</dt><dd data-count="repeated">${job.repeated}</dd></div>
        <div><dt>Rejected</dt><dd data-count="failed">${job.failed}</dd></div>
      </dl>
      ${act.error ? html`<p class="error" role="alert">${act.error}</p>` : nothing}
      <div class="row">
        ${running
          ? html`<button type="button" ?disabled=${act.cancelling} @click=${act.onCancel}>
            ${act.cancelling ? "Cancelling..." : "Cancel import"}</button>`
          : html`<button type="button" @click=${act.onAnother}>Import another file</button>`}
        ${job.errors.length > 0
          ? html`<button type="button" class="quiet" @click=${act.onDownload}>
            Download rejected rows (CSV)</button>`
          : nothing}
      </div>
    </section>
    ${issues.length > 0
      ? html`
        <section aria-labelledby="rejected-title">
          <h3 id="rejected-title">Rejected rows</h3>
          <div class="scroll" tabindex="0" role="region" aria-label="Rows not imported">
            <table>
              <caption>Rows that were not imported, by row number in the file (the header is row 1)${job
                  .errorsNotKept > 0
                ? `; ${job.errorsNotKept} more are counted but not listed`
                : ""}</caption>
              <thead>
                <tr>
                  <th scope="col">Row</th>
                  <th scope="col">Column</th>
                  <th scope="col">Reason</th>
                </tr>
              </thead>
              <tbody>${issues.map((i) =>
                html`
                  <tr data-row=${i.row}>
                    <td>${i.row}</td>
                    <td>${i.column ?? fieldLabel(i.path)}</td>
                    <td>${i.message}</td>
                  </tr>
                `
              )}</tbody>
            </table>
          </div>
        </section>
      `
      : nothing}
  `;
}

/** The recent imports, newest first; `onShow` follows one. */
export function renderRecent(
  recent: readonly ImportSummary[] | null,
  error: string,
  onShow: (r: ImportSummary) => void,
) {
  let body;
  if (error) {
    body = html`<p class="error" role="alert">Recent imports could not be read: ${error}</p>`;
  } else if (recent === null) {
    body = html`<p class="muted" role="status">Loading recent imports...</p>`;
  } else if (recent.length === 0) {
    body = html`<p class="muted">No imports yet.</p>`;
  } else {
    const when = new Intl.DateTimeFormat(undefined, {
      dateStyle: "medium",
      timeStyle: "short",
    });
    body = html`
      <div class="scroll" tabindex="0" role="region" aria-label="Recent imports">
        <table>
          <caption>Newest first (times in your time zone)</caption>
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">Status</th>
              <th scope="col">Rows</th>
              <th scope="col">New</th>
              <th scope="col">Duplicates</th>
              <th scope="col">Rejected</th>
              <th scope="col"><span class="visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody>${recent.map((r) =>
            html`
              <tr>
                <td>${r.startedAt ? when.format(new Date(r.startedAt)) : "Not started"}</td>
                <td class="status">${STATUS_LABELS[r.status] ?? r.status}</td>
                <td>${rowsText(r.done, r.total)}</td>
                <td>${r.created}</td>
                <td>${r.merged + r.repeated}</td>
                <td>${r.failed}</td>
                <td><button type="button" class="quiet" @click=${() => onShow(r)}>
                            Show<span class="visually-hidden"> import started ${r.startedAt
                              ? when.format(new Date(r.startedAt))
                              : r.importId}</span></button></td>
              </tr>
            `
          )}</tbody>
        </table>
      </div>
    `;
  }
  return html`<section aria-labelledby="recent-title">
    <h3 id="recent-title">Recent imports</h3>${body}
  </section>`;
}
