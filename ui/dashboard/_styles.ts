/**
 * The dashboard's shared look. Text colours reach WCAG AA (at least 4.5:1)
 * on their backgrounds; focus is always visible; layouts collapse to one
 * column at phone width.
 *
 * @module
 */
import { css } from "lit";

/** Styles every dashboard element adopts. */
export const baseStyles = css`
  :host {
    display: block;
    color: #1c1b1f;
  }
  :focus-visible {
    outline: 3px solid #0b57d0;
    outline-offset: 2px;
  }
  button {
    font: inherit;
    font-weight: 600;
    color: #fff;
    background: #0b57d0;
    border: 0;
    border-radius: 0.375rem;
    padding: 0.5rem 1rem;
    min-height: 44px;
    cursor: pointer;
  }
  button.quiet {
    color: #0b57d0;
    background: transparent;
    border: 1px solid #0b57d0;
  }
  button[disabled] {
    opacity: 0.7;
    cursor: progress;
  }
  input {
    font: inherit;
    color: inherit;
    border: 1px solid #6b6b70;
    border-radius: 0.375rem;
    padding: 0.5rem 0.625rem;
    min-height: 44px;
    box-sizing: border-box;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  .error {
    color: #b3261e;
  }
  .muted {
    color: #505056;
  }
`;

/**
 * The dashboard's tables: a white box that scrolls sideways when the table
 * is wider than the screen (give it `tabindex="0"`, a role and a name, so a
 * keyboard can scroll it), a caption as the table's title, header cells on
 * grey.
 */
export const tableStyles = css`
  .scroll {
    overflow-x: auto;
    background: #fff;
    border: 1px solid #c4c6cc;
    border-radius: 0.5rem;
  }
  table {
    border-collapse: collapse;
    width: 100%;
  }
  caption {
    text-align: left;
    font-weight: 700;
    font-size: 1.125rem;
    padding: 0.75rem 1rem;
  }
  th,
  td {
    text-align: left;
    padding: 0.5rem 1rem;
    border-top: 1px solid #e1e2e6;
  }
  thead th {
    font-size: 0.875rem;
    color: #3c3c42;
    background: #f1f2f5;
  }
`;
