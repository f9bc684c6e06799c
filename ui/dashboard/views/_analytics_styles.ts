/**
 * The look of `<cove-analytics-view>`: cards for its sections, two columns
 * on wide screens and one at phone width, tables that scroll sideways
 * rather than overflow.
 *
 * @module
 */
import { css } from "lit";

/** Styles of the analytics view. */
export const analyticsStyles = css`
  :host {
    display: grid;
    gap: 1.25rem;
  }
  h2 {
    margin: 0;
  }
  h3 {
    margin: 0 0 0.5rem;
    font-size: 1.125rem;
  }
  section,
  fieldset {
    background: #fff;
    border: 1px solid #c4c6cc;
    border-radius: 0.5rem;
    padding: 1rem 1.25rem;
    min-width: 0;
  }
  fieldset {
    display: flex;
    flex-wrap: wrap;
    gap: 0.75rem 1.25rem;
    align-items: flex-start;
    margin: 0;
  }
  legend {
    font-weight: 600;
    padding: 0 0.25rem;
  }
  .presets {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    margin-bottom: 0.5rem;
  }
  button[aria-pressed="true"] {
    color: #fff;
    background: #0b57d0;
  }
  .field {
    display: grid;
    gap: 0.25rem;
  }
  .field .error {
    margin: 0;
  }
  .grid {
    display: grid;
    gap: 1.25rem;
    grid-template-columns: repeat(auto-fit, minmax(min(100%, 30rem), 1fr));
  }
  section.scores,
  section.roi {
    grid-column: 1 / -1;
  }
  .scroll {
    overflow-x: auto;
    max-height: 24rem;
    overflow-y: auto;
  }
  table {
    border-collapse: collapse;
    width: 100%;
    margin-top: 0.5rem;
  }
  caption {
    text-align: left;
    font-weight: 600;
    padding-bottom: 0.25rem;
  }
  th,
  td {
    text-align: left;
    padding: 0.375rem 0.5rem;
    border-bottom: 1px solid #e0e0e4;
    white-space: nowrap;
  }
  td.n {
    text-align: right;
    font-variant-numeric: tabular-nums;
  }
  a {
    color: #0b57d0;
  }
`;
