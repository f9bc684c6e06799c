/**
 * The import view's look: the drop zone, the mapping and rejected-rows
 * tables (scrolling in their box at phone width), the progress bar and the
 * counts.
 *
 * @module
 */
import { css } from "lit";

/** Styles of `<cove-import-view>`, after the shared base styles. */
export const importStyles = css`
  section {
    background: #fff;
    border: 1px solid #c4c6cc;
    border-radius: 0.5rem;
    padding: 1rem 1.25rem;
    display: grid;
    /* One column no wider than the section: the file input's own width must not widen it. */
    grid-template-columns: minmax(0, 1fr);
    gap: 0.75rem;
  }
  :host {
    display: grid;
    grid-template-columns: minmax(0, 1fr);
    gap: 1.25rem;
  }
  h2,
  h3 {
    margin: 0;
    overflow-wrap: anywhere;
  }
  .drop label,
  .drop input[type="file"] {
    max-width: 100%;
    overflow-wrap: anywhere;
  }
  .drop {
    border: 2px dashed #6b6b70;
    border-radius: 0.5rem;
    padding: 1.25rem;
    display: grid;
    grid-template-columns: minmax(0, 1fr);
    gap: 0.5rem;
    justify-items: start;
  }
  .drop[data-dragging] {
    border-color: #0b57d0;
    background: #e8f0fe;
  }
  section,
  .scroll,
  form {
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
  select {
    font: inherit;
    min-height: 44px;
    border: 1px solid #6b6b70;
    border-radius: 0.375rem;
    padding: 0.25rem 0.5rem;
    max-width: 100%;
  }
  progress {
    width: 100%;
    height: 1.25rem;
  }
  .counts {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr));
    gap: 0.5rem;
    margin: 0;
  }
  .counts div {
    border: 1px solid #c4c6cc;
    border-radius: 0.375rem;
    padding: 0.5rem 0.75rem;
  }
  .counts dt {
    color: #505056;
  }
  .counts dd {
    margin: 0;
    font-size: 1.5rem;
    font-weight: 700;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
  }
  .field {
    display: grid;
    gap: 0.25rem;
  }
  @media (max-width: 40rem) {
    section {
      padding: 0.75rem;
    }
  }
`;
