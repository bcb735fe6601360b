/** The trainer's parsed TRAINER_* settings. */
export const TRAINER_SETTINGS = Symbol('TRAINER_SETTINGS');
