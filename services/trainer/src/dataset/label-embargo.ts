import type { SplitRule } from './time-split.js';

/** The embargo a job splits with, and where it came from (recorded with the version). */
export interface ResolvedEmbargo {
  readonly embargoMs: number;
  readonly source: 'split_rule' | 'label_outcome_window' | 'none';
}

/**
 * The split rule's embargo, or else the one the training set's label definition implies. An event
 * label (the feature store's manifest `label` of kind `event`) is decided `outcomeWindowMs` after its
 * deadline, and the deadline is the anchor's time unless `deadlineProperty` names a later one — which
 * the training set does not carry, so the outcome window is then a lower bound. Given label rows say
 * nothing about when they were decided: no embargo unless the rule sets one.
 */
export function resolveEmbargo(rule: SplitRule, label: unknown): ResolvedEmbargo {
  if (rule.embargoMs !== undefined) return { embargoMs: rule.embargoMs, source: 'split_rule' };
  const outcomeWindowMs = eventLabelOutcomeWindowMs(label);
  return outcomeWindowMs === undefined ? { embargoMs: 0, source: 'none' } : { embargoMs: outcomeWindowMs, source: 'label_outcome_window' };
}

function eventLabelOutcomeWindowMs(label: unknown): number | undefined {
  if (typeof label !== 'object' || label === null) return undefined;
  const { kind, outcomeWindowMs } = label as { kind?: unknown; outcomeWindowMs?: unknown };
  if (kind !== 'event') return undefined;
  if (typeof outcomeWindowMs !== 'number' || !Number.isFinite(outcomeWindowMs) || outcomeWindowMs < 0) {
    throw new Error(`the training set's event label has no usable outcomeWindowMs (${JSON.stringify(outcomeWindowMs)}): the split's embargo cannot be derived`);
  }
  return outcomeWindowMs;
}
