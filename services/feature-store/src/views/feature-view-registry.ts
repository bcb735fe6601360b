import { DomainError } from '@kuroshio/service-kit';
import type { FeatureDefinition, FeatureRef, FeatureView } from './feature-view.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

export interface ListFeatureViewsQuery {
  /** Only views about this entity; empty for all. */
  readonly entity?: string;
  readonly allVersions?: boolean;
  /** 0 or absent: DEFAULT_PAGE_SIZE. */
  readonly pageSize?: number;
  readonly pageToken?: string;
}

export interface FeatureViewPage {
  readonly views: readonly FeatureView[];
  /** Empty on the last page. */
  readonly nextPageToken: string;
}

/** A requested feature with its view version pinned. */
export interface ResolvedFeature {
  readonly ref: FeatureRef;
  readonly view: FeatureView;
  readonly feature: FeatureDefinition;
}

const TOKEN = /^[A-Za-z0-9_-]+$/;

function encodeToken(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

function decodeToken(token: string): number {
  const text = TOKEN.test(token) ? Buffer.from(token, 'base64url').toString() : '';
  const match = /^o:(\d{1,9})$/.exec(text);
  if (!match) throw new DomainError('INVALID_ARGUMENT', 'page_token is not one this service issued', { reason: 'invalid_page_token' });
  return Number(match[1]);
}

/** The feature views loaded at start-up, by name and version; immutable for the life of the process. */
export class FeatureViewRegistry {
  /** Every version, by name then version. */
  readonly #all: readonly FeatureView[];
  readonly #versions = new Map<string, Map<number, FeatureView>>();

  /** `loadedAt` stands in for the creation time of versions whose YAML gives none. */
  constructor(
    views: readonly FeatureView[],
    readonly loadedAt: Date = new Date(),
  ) {
    this.#all = [...views].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.version - b.version));
    for (const view of this.#all) {
      const versions = this.#versions.get(view.name) ?? new Map<number, FeatureView>();
      if (versions.has(view.version)) throw new Error(`feature view ${view.name} version ${view.version} registered twice`);
      versions.set(view.version, view);
      this.#versions.set(view.name, versions);
    }
  }

  list(query: ListFeatureViewsQuery = {}): FeatureViewPage {
    const size = query.pageSize === undefined || query.pageSize === 0 ? DEFAULT_PAGE_SIZE : Math.min(query.pageSize, MAX_PAGE_SIZE);
    const offset = query.pageToken ? decodeToken(query.pageToken) : 0;
    const matching = this.#all.filter(
      (view) => (!query.entity || view.entity === query.entity) && (query.allVersions === true || this.latest(view.name) === view),
    );
    const views = matching.slice(offset, offset + size);
    return { views, nextPageToken: offset + size < matching.length ? encodeToken(offset + size) : '' };
  }

  /** One version; 0 (or absent) means the latest. Throws NOT_FOUND. */
  get(name: string, version = 0): FeatureView {
    const versions = this.#versions.get(name);
    if (versions === undefined) throw new DomainError('NOT_FOUND', `no feature view ${name}`, { reason: 'feature_view_not_found', details: { name } });
    if (version === 0) return this.latest(name) as FeatureView;
    const view = versions.get(version);
    if (view === undefined) {
      throw new DomainError('NOT_FOUND', `feature view ${name} has no version ${version} (versions: ${[...versions.keys()].join(', ')})`, {
        reason: 'feature_view_version_not_found',
        details: { name, version },
      });
    }
    return view;
  }

  latest(name: string): FeatureView | undefined {
    const versions = this.#versions.get(name);
    if (versions === undefined) return undefined;
    return versions.get(Math.max(...versions.keys()));
  }

  /**
   * Pins requested features to view versions (0 = latest). Throws NOT_FOUND for an unknown view,
   * version or feature, INVALID_ARGUMENT for none or duplicates, or features about different entities.
   */
  resolve(refs: readonly FeatureRef[]): ResolvedFeature[] {
    if (refs.length === 0) throw new DomainError('INVALID_ARGUMENT', 'no features requested', { reason: 'no_features' });
    const resolved = refs.map((ref) => {
      const view = this.get(ref.featureView, ref.version);
      const feature = view.features.find((candidate) => candidate.name === ref.feature);
      if (feature === undefined) {
        throw new DomainError('NOT_FOUND', `feature view ${view.name} version ${view.version} has no feature ${ref.feature}`, {
          reason: 'feature_not_found',
          details: { featureView: view.name, version: view.version, feature: ref.feature },
        });
      }
      return { ref: { featureView: view.name, feature: feature.name, version: view.version }, view, feature };
    });
    const columns = new Set<string>();
    for (const { ref } of resolved) {
      const key = `${ref.featureView}:${ref.feature}`;
      if (columns.has(key)) throw new DomainError('INVALID_ARGUMENT', `feature ${key} requested twice`, { reason: 'duplicate_feature' });
      columns.add(key);
    }
    const entities = new Set(resolved.map(({ view }) => view.entity));
    if (entities.size > 1) {
      throw new DomainError('INVALID_ARGUMENT', `the features are about different entities (${[...entities].join(', ')})`, { reason: 'mixed_entities' });
    }
    return resolved;
  }
}
