/** Nest injection tokens of the collector's own providers. */
export const COLLECTOR_SETTINGS = Symbol('COLLECTOR_SETTINGS');
