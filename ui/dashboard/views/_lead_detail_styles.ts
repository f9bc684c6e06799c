/**
 * The lead detail's look: facts as a definition list, the conversation as
 * bubbles (outbound to the right, tinted; the words "From the lead" and "To
 * the lead" say it too), the state-at panel marked by a rule.
 *
 * @module
 */
import { css } from "lit";

/** Styles of `<cove-lead-detail>` (after the shared base styles). */
export const leadDetailStyles = css`
  :host {
    display: grid;
    gap: 1rem;
  }
  h2 {
    margin: 0;
  }
  section {
    background: #fff;
    border: 1px solid #c4c6cc;
    border-radius: 0.5rem;
    padding: 0.75rem 1rem;
  }
  h3 {
    margin: 0 0 0.5rem;
    font-size: 1.0625rem;
  }
  .grid {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr));
    gap: 1rem;
  }
  dl {
    display: grid;
    grid-template-columns: max-content 1fr;
    gap: 0.25rem 1rem;
    margin: 0;
  }
  dt {
    font-weight: 600;
    color: #3c3c42;
  }
  dd {
    margin: 0;
    overflow-wrap: anywhere;
  }
  ol,
  ul {
    margin: 0;
    padding-left: 1.25rem;
  }
  li {
    margin: 0.25rem 0;
  }
  .msg {
    list-style: none;
    padding: 0.5rem 0.75rem;
    border-radius: 0.5rem;
    border: 1px solid #c4c6cc;
    max-width: 36rem;
  }
  .msg.outbound {
    margin-left: auto;
    background: #e7f0fe;
  }
  .conversation {
    padding: 0;
    display: grid;
    gap: 0.5rem;
  }
  .meta {
    font-size: 0.875rem;
    color: #505056;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.75rem;
    align-items: end;
  }
  .field {
    display: grid;
    gap: 0.25rem;
  }
  label {
    font-weight: 600;
    font-size: 0.875rem;
  }
  select {
    font: inherit;
    min-height: 44px;
    border: 1px solid #6b6b70;
    border-radius: 0.375rem;
    padding: 0.5rem;
    background: #fff;
    color: inherit;
  }
  input[type="range"] {
    width: 100%;
    min-height: 44px;
  }
  .then {
    border-left: 4px solid #0b57d0;
    padding-left: 0.75rem;
    margin-top: 0.5rem;
  }
  .ok {
    color: #146c2e;
  }
  a {
    color: #0b57d0;
  }
`;
