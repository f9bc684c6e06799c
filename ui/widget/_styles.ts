/**
 * The form's look, scoped to its shadow root. Colours meet WCAG AA (4.5:1
 * for text, 3:1 for borders and focus rings) on the default white card; a
 * page can restyle through the `--cove-*` custom properties, which do cross
 * the shadow boundary on purpose.
 *
 * @module
 */
import { css } from "lit";

/** Styles of `<cove-lead-form>`. */
export const widgetStyles = css`
  :host {
    display: block;
    max-width: 28rem;
    font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
    color: var(--cove-text, #1c1b1f);
    --accent: var(--cove-accent, #0b57d0);
  }
  .card {
    background: var(--cove-background, #fff);
    border: 1px solid #8a8a8f;
    border-radius: 0.5rem;
    padding: 1rem 1.25rem;
  }
  h2 {
    font-size: 1.25rem;
    margin: 0 0 0.75rem;
  }
  .field {
    margin-bottom: 0.75rem;
  }
  label {
    display: block;
    font-weight: 600;
    margin-bottom: 0.25rem;
  }
  input,
  textarea {
    box-sizing: border-box;
    width: 100%;
    font: inherit;
    color: inherit;
    background: #fff;
    border: 1px solid #6b6b70;
    border-radius: 0.375rem;
    padding: 0.5rem 0.625rem;
  }
  input[aria-invalid="true"],
  textarea[aria-invalid="true"] {
    border: 2px solid #b3261e;
  }
  :focus-visible {
    outline: 3px solid var(--accent);
    outline-offset: 2px;
  }
  button {
    font: inherit;
    font-weight: 600;
    color: #fff;
    background: var(--accent);
    border: 0;
    border-radius: 0.375rem;
    padding: 0.625rem 1.25rem;
    min-height: 44px;
    cursor: pointer;
  }
  button[disabled] {
    opacity: 0.7;
    cursor: progress;
  }
  button.link {
    background: none;
    color: var(--accent);
    padding: 0;
    text-decoration: underline;
  }
  .error {
    color: #b3261e;
    margin: 0.25rem 0 0;
    font-size: 0.9375rem;
  }
  .notice {
    margin: 0.5rem 0 0;
    min-height: 1.5em;
  }
  fieldset {
    border: 1px solid #8a8a8f;
    border-radius: 0.375rem;
    margin: 0 0 0.75rem;
    padding: 0.5rem 0.75rem 0.75rem;
  }
  legend {
    font-weight: 600;
    padding: 0 0.25rem;
  }
  h3 {
    font-size: 1rem;
    margin: 0.75rem 0 0.25rem;
  }
  .hint {
    margin: 0 0 0.5rem;
    font-size: 0.9375rem;
    color: #4a4a4f;
  }
  /* A week of times stays a box the page scrolls past; arrow keys scroll it along. */
  .days {
    max-height: 22rem;
    overflow-y: auto;
  }
  .times {
    display: flex;
    flex-wrap: wrap;
    gap: 0.375rem;
  }
  label.choice {
    display: inline-flex;
    align-items: center;
    gap: 0.375rem;
    font-weight: 400;
    min-height: 44px;
    margin: 0;
  }
  label.time {
    min-width: 6.5rem;
    box-sizing: border-box;
    border: 1px solid #6b6b70;
    border-radius: 0.375rem;
    padding: 0 0.625rem;
  }
  label.time:has(:checked) {
    border: 2px solid var(--accent);
    font-weight: 600;
  }
  input[type="radio"] {
    width: auto;
    margin: 0;
    accent-color: var(--accent);
  }
  .trap {
    position: absolute;
    left: -10000px;
    width: 1px;
    height: 1px;
    overflow: hidden;
  }
  [hidden] {
    display: none !important;
  }
`;
