/**
 * `invalid-experiment`: a definition that cannot assign (bad key or salt, no variants, weights that
 * do not sum to more than 0, duplicate names, allocation outside [0, 1]).
 * `invalid-unit`: a unit id that is empty or not well-formed Unicode.
 */
export type AssignmentErrorCode = 'invalid-experiment' | 'invalid-unit';

export class AssignmentError extends Error {
  override readonly name = 'AssignmentError';

  constructor(
    readonly code: AssignmentErrorCode,
    message: string,
  ) {
    super(message);
  }
}
