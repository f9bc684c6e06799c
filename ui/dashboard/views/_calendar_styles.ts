/**
 * The bookings calendar's own look beyond the board styles it shares with
 * the tasks board: the week's day columns (seven on a wide screen, one
 * under another on a phone), the week navigation, and the inline cancel
 * and reschedule panels. Kept apart so the view file reads as behaviour.
 *
 * @module
 */
import { css } from "lit";

/** Styles of the week, its day columns and the booking cards' panels. */
export const calendarStyles = css`
  .week {
    display: grid;
    gap: 0.75rem;
    grid-template-columns: minmax(0, 1fr);
  }
  @media (min-width: 64rem) {
    .week {
      grid-template-columns: repeat(7, minmax(0, 1fr));
    }
  }
  .day {
    background: #f3f3f6;
    border-radius: 0.5rem;
    padding: 0.625rem;
    display: grid;
    gap: 0.5rem;
    align-content: start;
  }
  .day[aria-current="date"] {
    outline: 2px solid #0b57d0;
  }
  .day h4 {
    margin: 0;
    font-size: 1rem;
  }
  .nav {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
  }
  .day .card {
    padding: 0.5rem;
  }
  .card .actions button {
    flex: 1 1 auto;
    padding: 0.5rem 0.375rem;
    /* Whole words: a narrow day column must not break "Reschedule" mid-word. */
    overflow-wrap: normal;
  }
  .panel-inline {
    display: grid;
    gap: 0.5rem;
    border-top: 1px solid #c4c6cc;
    padding-top: 0.5rem;
  }
  .panel-inline select,
  .panel-inline input {
    width: 100%;
  }
`;
