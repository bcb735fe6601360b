import { assignVariant, AssignmentError } from '@kuroshio/assignment';
import type { ModelTarget } from './experiment-definition.js';
import { invalidArgument } from './experiment-errors.js';
import type { ExperimentEntry } from './experiment-state.js';
import { targetingHolds, type Traits } from './trait-matching.js';

export const ASSIGNMENT_STATUSES = ['assigned', 'not_running', 'not_targeted', 'out_of_traffic'] as const;
export type AssignmentStatus = (typeof ASSIGNMENT_STATUSES)[number];

export interface UnitAssignment {
  readonly status: AssignmentStatus;
  /** '' unless assigned. */
  readonly variant: string;
  readonly model: ModelTarget | null;
}

const UNIT_ID_MAX = 256;

/** Unit ids: what the exposure contract accepts, checked before anything else. */
export function checkUnitId(unitId: string): string {
  if (unitId === '') throw invalidArgument('unit_id is required', 'invalid_unit_id', { field: 'unit_id' });
  if (unitId.length > UNIT_ID_MAX) throw invalidArgument(`unit_id is ${unitId.length} characters long; at most ${UNIT_ID_MAX}`, 'invalid_unit_id', { field: 'unit_id' });
  return unitId;
}

/**
 * The unit's variant: state first (NOT_RUNNING), then targeting (NOT_TARGETED), then the one
 * assignment hash of @kuroshio/assignment (key, salt, unit id), which also applies the traffic
 * fraction (OUT_OF_TRAFFIC). Pure: recording the exposure is the caller's business.
 */
export function assignUnit(entry: ExperimentEntry, unitId: string, traits: Traits): UnitAssignment {
  const none = (status: AssignmentStatus): UnitAssignment => ({ status, variant: '', model: null });
  if (entry.state !== 'running') return none('not_running');
  const { spec } = entry;
  if (!targetingHolds(spec.targeting.traitFilters, traits)) return none('not_targeted');
  let variant: string | null;
  try {
    variant = assignVariant(
      { key: spec.key, salt: spec.salt, variants: spec.variants.map((v) => ({ name: v.key, weight: v.weight })), trafficAllocation: spec.targeting.trafficFraction },
      unitId,
    );
  } catch (error) {
    if (error instanceof AssignmentError && error.code === 'invalid-unit') throw invalidArgument(`unit_id: ${error.message}`, 'invalid_unit_id', { field: 'unit_id' });
    throw error;
  }
  if (variant === null) return none('out_of_traffic');
  const chosen = spec.variants.find((v) => v.key === variant);
  return { status: 'assigned', variant, model: chosen?.model ?? null };
}
