import { describe, expect, it } from 'vitest';
import { GrowingReservation, InFlightBudget } from './in-flight-budget.js';

describe('GrowingReservation', () => {
  it('holds what it grew by, refuses growth past the budget without holding it, and releases everything once', () => {
    const budget = new InFlightBudget({ maxEvents: 10, maxBytes: 100 });
    const other = budget.tryAcquire(1, 10);
    const reservation = new GrowingReservation(budget);
    expect(reservation.grow(50)).toBe(true);
    expect(reservation.grow(30)).toBe(true);
    expect(budget.bytes).toBe(90);
    expect(reservation.grow(11)).toBe(false);
    expect(budget.bytes).toBe(90);
    reservation.release();
    reservation.release();
    expect(budget.bytes).toBe(10);
    other?.();
    expect({ events: budget.events, bytes: budget.bytes }).toEqual({ events: 0, bytes: 0 });
  });
});
