export interface ReadinessOptions {
  /** Each check is cut off (and reported down) after this long. */
  readonly timeoutMs: number;
}

export const READINESS_OPTIONS = 'kuroshio:readiness-options';
export const DEFAULT_READINESS_TIMEOUT_MS = 2_000;
