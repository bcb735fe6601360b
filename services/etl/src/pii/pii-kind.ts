/** The kinds of personal data the ETL recognises in free text and replaces with keyed tokens. */
export type PiiKind = 'national_id' | 'phone' | 'email' | 'card';

export type PiiCounts = Record<PiiKind, number>;

export const PII_KINDS: readonly PiiKind[] = ['national_id', 'phone', 'email', 'card'];

export function emptyPiiCounts(): PiiCounts {
  return { national_id: 0, phone: 0, email: 0, card: 0 };
}

export function addPiiCounts(into: PiiCounts, from: PiiCounts): void {
  into.national_id += from.national_id;
  into.phone += from.phone;
  into.email += from.email;
  into.card += from.card;
}
