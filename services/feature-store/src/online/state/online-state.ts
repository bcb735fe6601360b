import { propertyAt } from '../../views/event-matching.js';
import type { FeatureRef, FeatureView } from '../../views/feature-view.js';
import { finishFeatureValue, NOT_FOUND, type FeatureScalar, type FeatureValue } from '../../views/feature-value.js';
import type { OnlineEvent } from './event-match.js';
import { EntityIndex } from './entity-index.js';
import { SlotArena } from './slot-arena.js';
import { ValueDictionary } from './value-dictionary.js';
import { ViewLayout, viewKey, type FeaturePlan } from './view-layout.js';
import { ViewSeries } from './view-series.js';
import { WindowAccumulator } from './window-accumulator.js';

export interface OnlineStateOptions {
  /**
   * Buckets are kept this long past the largest window of their view, so reads as of up to this
   * long before the clock are still exact (parity checks read slightly in the past).
   */
  readonly retentionSlackMs: number;
}

/** A requested feature after validation: the version actually served and where its state lives. */
export interface OnlineFeature {
  readonly ref: FeatureRef;
  readonly view: FeatureView;
  readonly viewIndex: number;
  readonly plan: FeaturePlan;
}

export interface ResolvedRefs {
  readonly resolved: OnlineFeature[];
  /** `view@version.feature` of each reference that names no loaded view, version or feature. */
  readonly unknown: string[];
}

export interface StateParts {
  readonly index: EntityIndex;
  readonly arena: SlotArena;
  readonly dictionary: ValueDictionary;
  readonly series: readonly { heads: Float64Array }[];
}

const INITIAL_CAPACITY = 1024;

/**
 * The online feature state: every loaded view's bucketed events per entity, fed by clean events and
 * read as of any instant. Plain domain code — no Kafka, gRPC or NestJS. Values follow the views'
 * definition executed event by event (`evaluateFeature` in views/feature-value.ts), which is also
 * what the offline path is tested against: per feature, the events of the view in
 * [asOf - window, asOf) that contribute to it; none → NOT_FOUND; the latest older than the TTL →
 * EXPIRED; else the aggregate. One difference: last_value ties at the same millisecond go to the
 * event consumed later (the definition breaks them by messageId, which the state does not keep).
 */
export class OnlineState {
  readonly layouts: readonly ViewLayout[];
  readonly #series: ViewSeries[];
  readonly #byKey = new Map<string, number>();
  readonly #currentVersion = new Map<string, number>();
  readonly #index: EntityIndex;
  readonly #arena: SlotArena;
  readonly #dictionary: ValueDictionary;
  readonly #acc = new WindowAccumulator();
  readonly #row: Float64Array;
  #capacity: number;

  constructor(
    views: readonly FeatureView[],
    private readonly options: OnlineStateOptions,
    parts?: StateParts,
  ) {
    this.layouts = views.map((view) => new ViewLayout(view));
    this.#index = parts?.index ?? new EntityIndex();
    this.#arena = parts?.arena ?? new SlotArena();
    this.#dictionary = parts?.dictionary ?? new ValueDictionary();
    this.#capacity = Math.max(INITIAL_CAPACITY, parts?.series[0]?.heads.length ?? 0, this.#index.highWater);
    this.#series = this.layouts.map((layout, i) => {
      const series = new ViewSeries(layout, this.#arena, this.#capacity);
      const restored = parts?.series[i];
      if (restored) series.heads = restored.heads;
      return series;
    });
    this.layouts.forEach((layout, i) => {
      if (this.#byKey.has(layout.key)) throw new Error(`feature view ${layout.key} is loaded twice`);
      this.#byKey.set(layout.key, i);
      this.#currentVersion.set(layout.view.name, Math.max(this.#currentVersion.get(layout.view.name) ?? 0, layout.view.version));
    });
    this.#row = new Float64Array(Math.max(1, ...this.layouts.map((layout) => layout.columns.length)));
  }

  /** Applies one clean event to every view it feeds; returns how many it fed. */
  apply(event: OnlineEvent, nowMs: number): number {
    let fed = 0;
    for (let v = 0; v < this.layouts.length; v += 1) {
      const layout = this.layouts[v]!;
      if (!layout.matches(event)) continue;
      fed += 1;
      // Older than every window still read: it can never contribute again.
      if (event.timeMs <= nowMs - layout.maxWindowMs - this.options.retentionSlackMs) continue;
      const row = this.#row;
      const columns = layout.columns;
      for (let c = 0; c < columns.length; c += 1) {
        const column = columns[c]!;
        row[c] = this.#columnValue(column.kind, propertyAt(event.properties, column.property));
      }
      this.#series[v]!.add(this.#entitySlot(event.entityId), event.timeMs, row);
    }
    return fed;
  }

  /** Validates references: version 0 means the highest loaded version of the view. */
  resolve(refs: readonly FeatureRef[]): ResolvedRefs {
    const resolved: OnlineFeature[] = [];
    const unknown: string[] = [];
    for (const ref of refs) {
      const version = ref.version === 0 ? this.#currentVersion.get(ref.featureView) : ref.version;
      const viewIndex = version === undefined ? undefined : this.#byKey.get(viewKey(ref.featureView, version));
      const plan = viewIndex === undefined ? undefined : this.layouts[viewIndex]!.feature(ref.feature);
      if (viewIndex === undefined || plan === undefined || version === undefined) {
        unknown.push(`${ref.featureView}@${ref.version === 0 ? 'current' : ref.version}.${ref.feature}`);
        continue;
      }
      const view = this.layouts[viewIndex]!.view;
      resolved.push({ ref: { featureView: ref.featureView, feature: ref.feature, version }, view, viewIndex, plan });
    }
    return { resolved, unknown };
  }

  /** Values as of `asOfMs`, one row per entity (request order), one value per feature. */
  read(features: readonly OnlineFeature[], entityIds: readonly string[], asOfMs: number): FeatureValue[][] {
    return entityIds.map((entityId) => {
      const entity = this.#index.slotOf(entityId);
      if (entity === undefined) return features.map(() => NOT_FOUND);
      return features.map((feature) => this.#value(entity, feature, asOfMs));
    });
  }

  /**
   * Drops buckets past every window (plus the slack) for entity slots [from, from + count), and
   * entities left without any. Returns the next slot to sweep, 0 after the last.
   */
  sweep(nowMs: number, from = 0, count = Infinity): number {
    const end = Math.min(this.#index.highWater, from + count);
    for (let entity = from; entity < end; entity += 1) {
      if (this.#index.idAt(entity) === undefined) continue;
      let empty = true;
      for (const series of this.#series) {
        if (!series.evict(entity, nowMs - series.layout.maxWindowMs - this.options.retentionSlackMs)) empty = false;
      }
      if (empty) this.#index.release(entity);
    }
    return end >= this.#index.highWater ? 0 : end;
  }

  get entityCount(): number {
    return this.#index.size;
  }

  /** Bytes held by typed arrays (arena pages and per-entity heads); the id map and dictionary are extra. */
  get typedBytes(): number {
    return this.#arena.bytes + this.#series.reduce((sum, series) => sum + series.heads.byteLength, 0);
  }

  /** The raw parts, for a snapshot. */
  parts(): StateParts {
    return { index: this.#index, arena: this.#arena, dictionary: this.#dictionary, series: this.#series };
  }

  #columnValue(kind: ViewLayout['columns'][number]['kind'], value: unknown): number {
    switch (kind) {
      case 'numeric':
        return typeof value === 'number' ? value : NaN;
      case 'key':
        return value === undefined || value === null ? -1 : this.#dictionary.code(JSON.stringify(value));
      case 'string':
        return typeof value === 'string' ? this.#dictionary.code(value) : -1;
      case 'number':
        return typeof value === 'number' ? this.#dictionary.code(value) : -1;
    }
  }

  #entitySlot(entityId: string): number {
    const slot = this.#index.intern(entityId);
    if (slot >= this.#capacity) {
      this.#capacity = Math.max(this.#capacity * 2, slot + 1);
      for (const series of this.#series) series.grow(this.#capacity);
    }
    return slot;
  }

  #value(entity: number, feature: OnlineFeature, asOfMs: number): FeatureValue {
    const acc = this.#acc;
    acc.reset();
    const plan = feature.plan;
    this.#series[feature.viewIndex]!.accumulate(entity, plan, asOfMs - plan.windowMs, asOfMs, acc);
    return finishFeatureValue(plan.definition, feature.view.ttlMs, asOfMs, { count: acc.n, lastMs: acc.lastTime, value: this.#aggregate(plan, acc) });
  }

  #aggregate(plan: FeaturePlan, acc: WindowAccumulator): FeatureScalar | null {
    if (acc.n === 0) return null;
    switch (plan.aggregation) {
      case 'sum':
        return acc.sum;
      case 'avg':
        return acc.sum / acc.n;
      case 'min':
        return acc.min;
      case 'max':
        return acc.max;
      case 'last_value':
        return acc.lastCode === -1 ? null : (this.#dictionary.value(acc.lastCode) as FeatureScalar);
      case 'distinct_count':
        return acc.distinct.size;
      case 'count':
      case 'days_since_last':
        return null;
    }
  }
}
