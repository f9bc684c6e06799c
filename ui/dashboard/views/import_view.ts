/**
 * `<cove-import-view>`: CSV import of leads. The person chooses a file (the
 * file input, or a drop onto the drop zone); its header and first rows are
 * shown with the column mapping the API would use (`POST
 * /v1/imports/preview`), which they may change; the upload carries an
 * import id made when the file was chosen, so a second click finds the same
 * job. While it runs, a progress bar follows `GET /v1/imports/{id}`, read
 * every second and at once on a live `import` tick, until the job ends; the
 * counts and the rejected rows (with their reasons, downloadable) follow.
 *
 * @module
 */
import { html, nothing } from "lit";
import { ApiError, type FieldIssue } from "../api.ts";
import { baseStyles } from "../_styles.ts";
import type { LiveTick } from "../live.ts";
import { DashboardView } from "./_view.ts";
import { checkFile, customFieldFor, previewCsv, rejectionsCsv } from "./_import_csv.ts";
import {
  type Chosen,
  fieldLabel,
  type ImportProgress,
  type ImportSummary,
  type PreviewAnswer,
} from "./_import_shapes.ts";
import { renderJob, renderRecent } from "./_import_job.ts";
import { importStyles } from "./_import_styles.ts";

/**
 * How often a running import's progress is read, live ticks included: the
 * ticks of a large import come four times a second, and every dashboard
 * request counts against the person's rate limit (100 a minute by default).
 */
export const POLL_MS = 1_000;

/** Bytes of a file read for its preview. */
const PREVIEW_BYTES = 64 * 1024;

/** The limit used before the API has answered one (the API's own is checked again). */
const FALLBACK_MAX_BYTES = 20 * 1024 * 1024;

/** See the module doc. */
export class CoveImportView extends DashboardView {
  static override properties = {
    ...DashboardView.properties,
    recent: { state: true },
    recentError: { state: true },
    chosen: { state: true },
    fileError: { state: true },
    fields: { state: true },
    issues: { state: true },
    formError: { state: true },
    starting: { state: true },
    job: { state: true },
    jobError: { state: true },
    cancelling: { state: true },
    dragging: { state: true },
    country: { state: true },
  };
  static override styles = [baseStyles, importStyles];

  declare recent: ImportSummary[] | null;
  declare recentError: string;
  declare chosen: Chosen | null;
  declare fileError: string;
  /** The mappable fields, as the API answered them. */
  declare fields: string[];
  /** Issues the API named for the mapping or the upload, by path. */
  declare issues: readonly FieldIssue[];
  declare formError: string;
  declare starting: boolean;
  declare job: ImportProgress | null;
  declare jobError: string;
  declare cancelling: boolean;
  declare dragging: boolean;
  declare country: string;

  #maxBytes = FALLBACK_MAX_BYTES;
  #poll: ReturnType<typeof setInterval> | undefined;
  #reading = false;
  /** When the job's progress was last asked for (epoch ms). */
  #lastRead = 0;
  /** When the recent imports were last asked for (epoch ms). */
  #lastRecent = 0;

  constructor() {
    super();
    this.recent = null;
    this.recentError = "";
    this.chosen = null;
    this.fileError = "";
    this.fields = [];
    this.issues = [];
    this.formError = "";
    this.starting = false;
    this.job = null;
    this.jobError = "";
    this.cancelling = false;
    this.dragging = false;
    this.country = "";
  }

  /** Import events; another person's import re-reads the list at most every 2 s. */
  protected override wants(tick: LiveTick): boolean {
    if (!tick.kinds.has("import")) return false;
    return this.job?.status === "running" || Date.now() - this.#lastRecent >= 2 * POLL_MS;
  }

  protected override async load(): Promise<void> {
    // While a job runs only its progress is read (the list changes when it ends).
    if (this.job?.status === "running") await this.#readJob();
    else await this.#loadRecent();
  }

  override disconnectedCallback(): void {
    this.#stopPolling();
    super.disconnectedCallback();
  }

  async #loadRecent(): Promise<void> {
    this.#lastRecent = Date.now();
    try {
      const page = await this.api.get<{ items: ImportSummary[] }>("/v1/imports?limit=10");
      const first = this.recent === null;
      this.recent = page.items;
      this.recentError = "";
      // Coming back to the view while an import runs shows it again, followed.
      const running = page.items.find((r) => r.status === "running");
      if (first && running && !this.job && !this.chosen) {
        this.#follow(running.importId, running.total);
      }
    } catch (error) {
      this.recentError = (error as Error).message;
    }
  }

  /** Reads the current job's progress; stops the polling once it has ended. */
  async #readJob(force = false): Promise<void> {
    const id = this.job?.importId;
    if (!id || this.#reading) return;
    // A tick and the poll both ask: whichever comes first reads, at most once per POLL_MS.
    if (!force && Date.now() - this.#lastRead < POLL_MS - 100) return;
    this.#lastRead = Date.now();
    this.#reading = true;
    try {
      const job = await this.api.get<ImportProgress>(`/v1/imports/${encodeURIComponent(id)}`);
      if (this.job?.importId !== id) return;
      const ended = this.job.status === "running" && job.status !== "running";
      this.job = job;
      this.jobError = "";
      if (job.status !== "running") this.#stopPolling();
      if (ended) void this.#loadRecent();
    } catch (error) {
      this.jobError = (error as Error).message;
    } finally {
      this.#reading = false;
    }
  }

  #startPolling(): void {
    this.#stopPolling();
    this.#poll = setInterval(() => void this.#readJob(), POLL_MS);
  }

  #stopPolling(): void {
    clearInterval(this.#poll);
    this.#poll = undefined;
  }

  /** A file was chosen or dropped: checks it, reads its start and asks the API for the mapping. */
  async #choose(file: File | undefined): Promise<void> {
    this.chosen = null;
    this.issues = [];
    this.formError = "";
    this.fileError = "";
    if (!file) return;
    const problem = checkFile(file, this.#maxBytes);
    if (problem) {
      this.fileError = problem;
      return;
    }
    const whole = file.size <= PREVIEW_BYTES;
    const start = await file.slice(0, PREVIEW_BYTES).text();
    const preview = previewCsv(start, 5, whole);
    if (!preview) {
      this.fileError = `${file.name} has no header row: its first line must name the columns.`;
      return;
    }
    const chosen: Chosen = { file, importId: crypto.randomUUID(), preview, mapping: {} };
    const answer = await this.#preview(preview.header, undefined);
    if (!answer) {
      chosen.mapping = Object.fromEntries(preview.header.map((h) => [h, ""]));
    } else {
      // When the columns cannot make a lead by their names, all start unmapped, the issue shown.
      // The API's limit may differ from the fallback: check the size again against it.
      const tooBig = checkFile(file, answer.maxBytes);
      if (tooBig) {
        this.fileError = tooBig;
        return;
      }
      chosen.mapping = Object.fromEntries(preview.header.map((h) => [h, answer.mapping[h] ?? ""]));
    }
    this.chosen = chosen;
  }

  /** Asks the API how `header` maps; the issues it names are shown by their column. */
  async #preview(
    header: string[],
    mapping: Record<string, string | null> | undefined,
  ): Promise<PreviewAnswer | null> {
    try {
      const answer = await this.api.send<PreviewAnswer>("POST", "/v1/imports/preview", {
        header,
        ...(mapping ? { mapping } : {}),
      });
      this.#maxBytes = answer.maxBytes;
      this.fields = answer.fields;
      this.issues = answer.issues;
      this.formError = "";
      return answer;
    } catch (error) {
      this.#showError(error);
      return null;
    }
  }

  #showError(error: unknown): void {
    if (error instanceof ApiError && error.issues.length > 0) {
      this.issues = error.issues;
      this.formError = "";
    } else {
      this.issues = [];
      this.formError = error instanceof ApiError && error.status === 413
        ? "The file is over the size an import takes."
        : (error as Error).message;
    }
  }

  #explicitMapping(chosen: Chosen): Record<string, string | null> {
    return Object.fromEntries(
      Object.entries(chosen.mapping).filter(([col]) => col !== "").map((
        [col, field],
      ) => [col, field || null]),
    );
  }

  async #remap(column: string, field: string): Promise<void> {
    const chosen = this.chosen;
    if (!chosen) return;
    this.chosen = { ...chosen, mapping: { ...chosen.mapping, [column]: field } };
    await this.#preview(chosen.preview.header, this.#explicitMapping(this.chosen));
  }

  async #start(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const chosen = this.chosen;
    if (!chosen || this.starting) return;
    this.starting = true;
    this.issues = [];
    this.formError = "";
    try {
      const csv = await chosen.file.text();
      const country = this.country.trim();
      const started = await this.api.send<{ importId: string; status: string; total: number }>(
        "POST",
        "/v1/imports",
        {
          importId: chosen.importId,
          csv,
          mapping: this.#explicitMapping(chosen),
          ...(country ? { defaultCountry: country } : {}),
        },
        { idempotencyKey: chosen.importId },
      );
      this.#follow(started.importId, started.total);
      this.chosen = null;
    } catch (error) {
      this.#showError(error);
    } finally {
      this.starting = false;
    }
  }

  /** Shows the job `importId` and follows it until it ends. */
  #follow(importId: string, total = 0): void {
    this.job = {
      importId,
      status: "running",
      total,
      done: 0,
      created: 0,
      merged: 0,
      repeated: 0,
      failed: 0,
      errors: [],
      errorsNotKept: 0,
    };
    this.jobError = "";
    this.#startPolling();
    void this.#readJob(true);
    void this.#loadRecent();
  }

  async #cancel(): Promise<void> {
    const id = this.job?.importId;
    if (!id) return;
    this.cancelling = true;
    try {
      const job = await this.api.send<ImportProgress>(
        "POST",
        `/v1/imports/${encodeURIComponent(id)}/cancel`,
      );
      this.job = job;
      this.jobError = "";
      this.#stopPolling();
      void this.#loadRecent();
    } catch (error) {
      this.jobError = error instanceof ApiError && error.status === 409
        ? "The import had already finished."
        : (error as Error).message;
      void this.#readJob(true);
    } finally {
      this.cancelling = false;
    }
  }

  #download(): void {
    const job = this.job;
    if (!job) return;
    const url = URL.createObjectURL(
      new Blob([rejectionsCsv(job.errors)], { type: "text/csv;charset=utf-8" }),
    );
    const a = document.createElement("a");
    a.href = url;
    a.download = `rejected-rows-${job.importId}.csv`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }

  #issueFor(path: string): string {
    return this.issues.filter((i) => i.path === path).map((i) => i.message).join("; ");
  }

  override render() {
    return html`
      <h2>Import leads from a CSV file</h2>
      ${this.job
        ? renderJob(this.job, {
          error: this.jobError,
          cancelling: this.cancelling,
          onCancel: () => void this.#cancel(),
          onAnother: () => {
            this.job = null;
            this.#stopPolling();
          },
          onDownload: () => this.#download(),
        })
        : this.#renderChooser()}
      ${renderRecent(this.recent, this.recentError, (r) => this.#follow(r.importId, r.total))}
    `;
  }

  #renderChooser() {
    const onDrop = (e: DragEvent) => {
      e.preventDefault();
      this.dragging = false;
      void this.#choose(e.dataTransfer?.files[0]);
    };
    const onDrag = (e: DragEvent) => {
      e.preventDefault();
      this.dragging = true;
    };
    return html`
      <section aria-labelledby="choose-title">
        <h3 id="choose-title">1. Choose a file</h3>
        <div class="drop" ?data-dragging=${this.dragging} @dragover=${onDrag}
          @dragenter=${onDrag} @dragleave=${() => this.dragging = false} @drop=${onDrop}>
          <label for="file">CSV file (header row first; you can also drop it here)</label>
          <input id="file" type="file" accept=".csv,.tsv,.txt,text/csv"
            aria-describedby=${this.fileError ? "file-error" : "file-hint"}
            @change=${(e: Event) => void this.#choose((e.target as HTMLInputElement).files?.[0])}>
          <p id="file-hint" class="muted">
            Each row becomes a lead, deduplicated like any other capture. At most
            ${Math.round(this.#maxBytes / 1024 / 1024)} MB.
          </p>
          ${this.fileError
            ? html`<p id="file-error" class="error" role="alert">${this.fileError}</p>`
            : nothing}
        </div>
      </section>
      ${this.chosen ? this.#renderMapping(this.chosen) : nothing}
    `;
  }

  #renderMapping(chosen: Chosen) {
    const { header, rows } = chosen.preview;
    const mappingIssue = this.#issueFor("mapping");
    const countryIssue = this.#issueFor("defaultCountry");
    const other = this.issues.filter((i) =>
      i.path !== "mapping" && i.path !== "defaultCountry" && !i.path.startsWith("mapping.")
    );
    const options = (column: string) => {
      const custom = customFieldFor(column);
      const fields = [...this.fields];
      if (custom && !fields.includes(custom)) fields.push(custom);
      const current = chosen.mapping[column] ?? "";
      if (current && !fields.includes(current)) fields.push(current);
      return html`<option value="" ?selected=${current === ""}>Not imported</option>
        ${
        fields.map((f) =>
          html`<option value=${f} ?selected=${current === f}>${fieldLabel(f)}</option>`
        )
      }`;
    };
    return html`
      <section aria-labelledby="map-title">
        <h3 id="map-title">2. Check the columns</h3>
        <p>${chosen.file.name}: each column goes to the lead field chosen here. Columns named
          like a field are matched already.</p>
        ${mappingIssue
          ? html`<p id="mapping-error" class="error" role="alert">${mappingIssue}</p>`
          : nothing}
        <form @submit=${this.#start} aria-describedby=${mappingIssue ? "mapping-error" : nothing}>
          <div class="scroll" tabindex="0" role="region" aria-label="Columns and first rows">
            <table>
              <caption>Columns of ${chosen.file.name} and the first rows</caption>
              <thead>
                <tr>
                  <th scope="col">Column</th>
                  <th scope="col">Imported as</th>
                  ${rows.map((_, i) => html`<th scope="col">Row ${i + 2}</th>`)}
                </tr>
              </thead>
              <tbody>
                ${header.map((column, k) => {
                  const id = `map-${k}`;
                  const issue = this.#issueFor(`mapping.${column}`);
                  return html`<tr>
                    <th scope="row"><label for=${id}>${
                    column || html`<em>(no name)</em>`
                  }</label></th>
                    <td>
                      <select id=${id} ?disabled=${column === ""}
                        aria-describedby=${issue ? `${id}-error` : nothing}
                        aria-invalid=${issue ? "true" : nothing}
                        @change=${(e: Event) =>
                    void this.#remap(column, (e.target as HTMLSelectElement).value)}>
                        ${options(column)}
                      </select>
                      ${
                    issue
                      ? html`<p id="${id}-error" class="error" role="alert">${issue}</p>`
                      : nothing
                  }
                    </td>
                    ${rows.map((r) => html`<td>${r[k]}</td>`)}
                  </tr>`;
                })}
              </tbody>
            </table>
          </div>
          <div class="field">
            <label for="country">Country of phone numbers written without a country code
              (optional, 2 letters; default US)</label>
            <input id="country" maxlength="2" size="4" autocomplete="off" .value=${this.country}
              aria-describedby=${countryIssue ? "country-error" : nothing}
              aria-invalid=${countryIssue ? "true" : nothing}
              @input=${(e: Event) => this.country = (e.target as HTMLInputElement).value}>
            ${countryIssue
              ? html`<p id="country-error" class="error" role="alert">${countryIssue}</p>`
              : nothing}
          </div>
          ${other.map((i) =>
            html`<p class="error" role="alert">${i.path ? `${i.path}: ` : ""}${i.message}</p>`
          )}
          ${this.formError ? html`<p class="error" role="alert">${this.formError}</p>` : nothing}
          <div class="row">
            <button type="submit" ?disabled=${this.starting}>
              ${this.starting ? "Starting..." : "Start import"}
            </button>
            <button type="button" class="quiet" @click=${() => {
              const input = this.renderRoot.querySelector<HTMLInputElement>("#file");
              if (input) input.value = "";
              void this.#choose(undefined);
            }}>
              Choose another file
            </button>
          </div>
        </form>
      </section>
    `;
  }
}
