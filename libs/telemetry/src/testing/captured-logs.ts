import type { DestinationStream } from 'pino';

/** A pino destination that keeps each line as a parsed object, for assertions in tests. */
export function captureLogLines(): { destination: DestinationStream; lines: Record<string, unknown>[]; raw: string[] } {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  return {
    lines,
    raw,
    destination: {
      write(line: string) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  };
}
