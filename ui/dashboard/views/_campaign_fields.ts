/**
 * Labelled inputs for the campaign wizard: each with its `<label for>`, an
 * optional hint, and the problems named for it shown right below it
 * (`role="alert"`, tied by `aria-describedby`, `aria-invalid` set), so
 * errors are read out with the input and never shown by colour alone.
 *
 * @module
 */
import { html, nothing, type TemplateResult } from "lit";

/** Options of {@link FieldKit.text}. */
export interface TextOptions {
  type?: "text" | "number" | "time";
  min?: number;
  max?: number;
  /** A hint shown under the label. */
  hint?: string;
  /** Ids of other elements that describe the input (e.g. the list of variables). */
  describedBy?: string;
  autocomplete?: string;
}

/** Renders labelled inputs and their problems; see the module doc. */
export interface FieldKit {
  /** A one-line input. */
  text(
    id: string,
    label: string,
    value: string,
    onInput: (value: string) => void,
    opts?: TextOptions,
  ): TemplateResult;
  /** A multi-line input. */
  area(
    id: string,
    label: string,
    value: string,
    onInput: (value: string) => void,
    describedBy?: string,
  ): TemplateResult;
  /** The problems of `id` (for inputs the kit does not render, e.g. a fieldset's). */
  errors(id: string): TemplateResult | typeof nothing;
  /** The `aria-describedby` of `id`: its hint, `extra` and its problems. */
  describedBy(id: string, ...extra: (string | undefined)[]): string | typeof nothing;
  /** Whether `id` has problems. */
  invalid(id: string): boolean;
}

/** A {@link FieldKit} over `problems(id)`; `clear(id)` is called when the input changes. */
export function fieldKit(
  problems: (id: string) => string[],
  clear: (id: string) => void,
): FieldKit {
  const errors = (id: string) => {
    const p = problems(id);
    return p.length
      ? html`<p id="${id}-error" class="error" role="alert">${p.join("; ")}</p>`
      : nothing;
  };
  const describedBy = (id: string, ...extra: (string | undefined)[]) => {
    const ids = [...extra.filter(Boolean), ...(problems(id).length ? [`${id}-error`] : [])];
    return ids.length ? ids.join(" ") : nothing;
  };
  const invalid = (id: string) => problems(id).length > 0;
  const changed = (id: string, onInput: (v: string) => void) => (e: Event) => {
    clear(id);
    onInput((e.target as HTMLInputElement | HTMLTextAreaElement).value);
  };
  return {
    text: (id, label, value, onInput, opts = {}) =>
      html`<div class="field">
        <label for=${id}>${label}</label>
        ${opts.hint ? html`<p class="hint" id="${id}-hint">${opts.hint}</p>` : nothing}
        <input id=${id} name=${id} type=${opts.type ?? "text"} .value=${value}
          min=${opts.min ?? nothing} max=${opts.max ?? nothing}
          autocomplete=${opts.autocomplete ?? nothing}
          aria-invalid=${invalid(id) ? "true" : "false"}
          aria-describedby=${
        describedBy(id, opts.hint ? `${id}-hint` : undefined, opts.describedBy)
      }
          @input=${changed(id, onInput)}>
        ${errors(id)}
      </div>`,
    area: (id, label, value, onInput, extra) =>
      html`<div class="field">
        <label for=${id}>${label}</label>
        <textarea id=${id} name=${id} .value=${value}
          aria-invalid=${invalid(id) ? "true" : "false"}
          aria-describedby=${describedBy(id, extra)}
          @input=${changed(id, onInput)}></textarea>
        ${errors(id)}
      </div>`,
    errors,
    describedBy,
    invalid,
  };
}
