/**
 * The look the tasks board and the bookings calendar share beyond the base
 * styles: form controls, cards, field errors and status badges that say
 * their meaning in words (colour only repeats it).
 *
 * @module
 */
import { css } from "lit";

/** Styles of the board and the calendar. */
export const boardStyles = css`
  h2 {
    margin: 0 0 0.75rem;
  }
  select,
  textarea {
    font: inherit;
    color: inherit;
    background: #fff;
    border: 1px solid #6b6b70;
    border-radius: 0.375rem;
    padding: 0.5rem 0.625rem;
    min-height: 44px;
    box-sizing: border-box;
    max-width: 100%;
  }
  input {
    max-width: 100%;
  }
  label {
    font-weight: 600;
  }
  .field {
    display: grid;
    gap: 0.25rem;
    align-content: start;
  }
  .field-error {
    color: #b3261e;
    margin: 0;
    font-size: 0.9375rem;
  }
  .toolbar {
    display: flex;
    flex-wrap: wrap;
    gap: 0.75rem;
    align-items: end;
    margin-bottom: 1rem;
  }
  .check {
    display: flex;
    gap: 0.5rem;
    align-items: center;
    min-height: 44px;
  }
  .check input {
    min-height: auto;
    width: 1.25rem;
    height: 1.25rem;
  }
  .panel {
    background: #fff;
    border: 1px solid #c4c6cc;
    border-radius: 0.5rem;
    padding: 1rem;
    margin-bottom: 1rem;
  }
  .panel form {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(min(100%, 14rem), 1fr));
    gap: 0.75rem;
    align-items: end;
  }
  .card {
    background: #fff;
    border: 1px solid #c4c6cc;
    border-radius: 0.5rem;
    padding: 0.75rem;
    display: grid;
    gap: 0.375rem;
    overflow-wrap: anywhere;
  }
  .card h4 {
    margin: 0;
    font-size: 1rem;
  }
  .card p {
    margin: 0;
  }
  .card[data-fresh] {
    border-color: #0b57d0;
    box-shadow: 0 0 0 1px #0b57d0;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: end;
  }
  .badge {
    display: inline-block;
    font-size: 0.875rem;
    font-weight: 700;
    padding: 0.125rem 0.5rem;
    border-radius: 1rem;
    border: 1px solid currentColor;
  }
  .badge.overdue,
  .badge.cancelled {
    color: #b3261e;
  }
  .badge.confirmed {
    color: #146c2e;
  }
  ul.plain {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: 0.5rem;
  }
  a {
    color: #0b57d0;
  }
`;
