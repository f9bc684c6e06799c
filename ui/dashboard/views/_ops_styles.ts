/**
 * The delivery view's look: provider cards with a mode badge that says its
 * mode in words (the colour only repeats it), tables scrolling in their box
 * at phone width.
 *
 * @module
 */
import { css } from "lit";

/** Styles of `<cove-ops-view>`, after the shared base styles. */
export const opsStyles = css`
  :host {
    display: grid;
    gap: 1.25rem;
  }
  h2,
  h3,
  h4 {
    margin: 0;
  }
  section {
    display: grid;
    gap: 0.75rem;
  }
  .cards {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr));
    gap: 0.75rem;
    list-style: none;
    margin: 0;
    padding: 0;
  }
  .card,
  .panel {
    background: #fff;
    border: 1px solid #c4c6cc;
    border-radius: 0.5rem;
    padding: 0.75rem 1rem;
    display: grid;
    gap: 0.375rem;
  }
  .badge {
    font-weight: 700;
    border-radius: 0.25rem;
    padding: 0.125rem 0.5rem;
    justify-self: start;
    border: 1px solid currentColor;
  }
  .badge[data-mode="sandbox"] {
    color: #6b3e00;
    background: #fff4e0;
  }
  .badge[data-mode="live"] {
    color: #0f5223;
    background: #e6f4ea;
  }
  .breaker[data-state="open"] strong {
    color: #b3261e;
  }
  section,
  .scroll {
    /* Grid items may shrink below their content: wide tables scroll in their box instead. */
    min-width: 0;
  }
  .scroll {
    overflow-x: auto;
    /* Contains the visually hidden labels, so they do not widen the page from a scrolled cell. */
    position: relative;
  }
  table {
    border-collapse: collapse;
    width: 100%;
    background: #fff;
  }
  caption {
    text-align: left;
    font-weight: 600;
    padding-bottom: 0.5rem;
  }
  th,
  td {
    text-align: left;
    padding: 0.375rem 0.5rem;
    border-bottom: 1px solid #e0e0e4;
    vertical-align: top;
  }
  td.num,
  th.num {
    text-align: right;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.375rem;
  }
  select {
    font: inherit;
    min-height: 44px;
    border: 1px solid #6b6b70;
    border-radius: 0.375rem;
    padding: 0.25rem 0.5rem;
  }
  .filter {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
  }
  .error-text {
    overflow-wrap: anywhere;
  }
  pre {
    white-space: pre-wrap;
    overflow-wrap: anywhere;
    margin: 0;
  }
  summary {
    cursor: pointer;
    min-height: 44px;
    display: flex;
    align-items: center;
    color: #0b57d0;
  }
`;
