/**
 * The look the campaign views share: panels, tables, form fields and the
 * status badge (its text says the status; the colour only repeats it).
 *
 * @module
 */
import { css } from "lit";

/** Styles of the campaign list, wizard and stats views. */
export const campaignStyles = css`
  :host {
    display: grid;
    gap: 1rem;
    /* A grid item of the page: without this a wide child (a chart's canvas) widens the page. */
    min-width: 0;
  }
  :host > *,
  .grid > * {
    min-width: 0;
  }
  h2 {
    margin: 0;
    font-size: 1.5rem;
  }
  h3 {
    margin: 0 0 0.5rem;
    font-size: 1.25rem;
  }
  .panel {
    background: #fff;
    border: 1px solid #c4c6cc;
    border-radius: 0.5rem;
    padding: 1rem;
  }
  td.num,
  th.num {
    text-align: right;
    font-variant-numeric: tabular-nums;
  }
  a {
    color: #0b57d0;
  }
  a.button {
    display: inline-flex;
    align-items: center;
    min-height: 44px;
    padding: 0 1rem;
    border-radius: 0.375rem;
    background: #0b57d0;
    color: #fff;
    font-weight: 600;
    text-decoration: none;
  }
  .status {
    display: inline-block;
    padding: 0 0.5rem;
    border-radius: 1rem;
    border: 1px solid #6b6b70;
    background: #eceef2;
  }
  .status[data-status="running"] {
    background: #e3f3e6;
    border-color: #146c2e;
  }
  .status[data-status="paused"] {
    background: #fdf0dc;
    border-color: #8c5000;
  }
  .status[data-status="stopped"] {
    background: #fbe9e8;
    border-color: #b3261e;
  }
  .bar {
    display: flex;
    flex-wrap: wrap;
    gap: 0.75rem;
    align-items: center;
    justify-content: space-between;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.75rem;
    align-items: center;
  }
  label {
    font-weight: 600;
  }
  .field {
    display: grid;
    gap: 0.25rem;
    margin-bottom: 0.75rem;
  }
  .hint {
    font-size: 0.875rem;
    color: #505056;
    margin: 0;
  }
  .field .error,
  fieldset .error {
    margin: 0;
    font-weight: 600;
  }
  textarea,
  select {
    font: inherit;
    color: inherit;
    border: 1px solid #6b6b70;
    border-radius: 0.375rem;
    padding: 0.5rem 0.625rem;
    min-height: 44px;
    box-sizing: border-box;
    background: #fff;
  }
  input[aria-invalid="true"],
  textarea[aria-invalid="true"] {
    border: 2px solid #b3261e;
  }
  fieldset {
    border: 1px solid #c4c6cc;
    border-radius: 0.5rem;
    margin: 0 0 0.75rem;
    padding: 0.75rem 1rem;
    min-width: 0;
  }
  legend {
    font-weight: 700;
    padding: 0 0.25rem;
  }
  .choice {
    display: flex;
    align-items: center;
    gap: 0.5rem;
    min-height: 44px;
    font-weight: 400;
  }
  .choice input {
    width: 1.25rem;
    height: 1.25rem;
    min-height: 0;
    margin: 0;
  }
  dl {
    display: grid;
    grid-template-columns: minmax(8rem, max-content) 1fr;
    gap: 0.5rem 1rem;
    margin: 0;
  }
  dt {
    font-weight: 700;
  }
  dd {
    margin: 0;
    overflow-wrap: anywhere;
  }
  .message-text {
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  @media (max-width: 40rem) {
    dl {
      grid-template-columns: 1fr;
    }
    .wide {
      display: none;
    }
  }
`;

/** The wizard's own: the step indicator, the two columns of the message step, the preview. */
export const wizardStyles = css`
  .progress {
    list-style: none;
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem 1rem;
    margin: 0;
    padding: 0;
  }
  .progress li {
    display: flex;
    align-items: center;
    gap: 0.375rem;
    color: #505056;
  }
  .progress .num {
    display: inline-grid;
    place-items: center;
    width: 1.75rem;
    height: 1.75rem;
    border-radius: 50%;
    border: 2px solid #6b6b70;
    font-weight: 700;
  }
  .progress li[aria-current="step"] {
    color: #1c1b1f;
    font-weight: 700;
    text-decoration: underline;
    text-underline-offset: 0.25rem;
  }
  .progress li[aria-current="step"] .num {
    background: #0b57d0;
    border-color: #0b57d0;
    color: #fff;
  }
  .progress li[data-done] .num {
    border-color: #146c2e;
    color: #146c2e;
  }
  form {
    display: grid;
    gap: 1rem;
  }
  h3:focus {
    outline: none;
  }
  h3:focus-visible {
    outline: 3px solid #0b57d0;
  }
  .columns {
    display: grid;
    gap: 1rem;
  }
  @media (min-width: 56rem) {
    .columns {
      grid-template-columns: 3fr 2fr;
      align-items: start;
    }
    .preview {
      position: sticky;
      top: 1rem;
    }
  }
  .templates {
    max-height: 16rem;
    overflow-y: auto;
  }
  textarea {
    min-height: 7rem;
    resize: vertical;
  }
  .split {
    display: flex;
    flex-wrap: wrap;
    gap: 0 1rem;
  }
  .preview h4 {
    margin: 0 0 0.5rem;
  }
  .bubble {
    background: #f1f2f5;
    border-radius: 0.5rem;
    padding: 0.75rem;
    margin: 0.5rem 0;
  }
`;
