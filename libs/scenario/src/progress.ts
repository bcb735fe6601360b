/** Progress of the scenario's long steps, printed for a person or collected by a test. */
export interface Progress {
  task(title: string, total?: number): ProgressTask;
  note(line: string): void;
}

export interface ProgressTask {
  update(done: number, detail?: string): void;
  done(summary: string): void;
}

/** Writes one line per step and redraws the current count at most twice a second on a terminal. */
export function terminalProgress(stream: NodeJS.WriteStream = process.stdout): Progress {
  return {
    note: (line) => stream.write(`${line}\n`),
    task(title, total) {
      const started = Date.now();
      let lastDraw = 0;
      const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
      return {
        update(done, detail) {
          if (!stream.isTTY || Date.now() - lastDraw < 500) return;
          lastDraw = Date.now();
          const count = total === undefined ? `${done}` : `${done}/${total}`;
          stream.write(`\r  … ${title}: ${count}${detail ? ` ${detail}` : ''} (${seconds()} s)\u001b[K`);
        },
        done(summary) {
          stream.write(`${stream.isTTY ? '\r\u001b[K' : ''}  ✓ ${title}: ${summary} (${seconds()} s)\n`);
        },
      };
    },
  };
}

/** Keeps every line (with each task's seconds), for tests. */
export function recordedProgress(): Progress & { readonly lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    note: (line) => lines.push(line),
    task: (title) => {
      const started = Date.now();
      return { update: () => undefined, done: (summary) => lines.push(`${title}: ${summary} (${((Date.now() - started) / 1000).toFixed(1)} s)`) };
    },
  };
}
