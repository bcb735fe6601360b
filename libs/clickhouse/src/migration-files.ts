import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { splitStatements } from './sql-lexer.js';

export interface MigrationFile {
  version: number;
  name: string;
  fileName: string;
  /** sha256 of the file with line endings normalised, so a checkout on Windows matches. */
  checksum: string;
  statements: string[];
}

export interface AppliedMigration {
  version: number;
  name: string;
  checksum: string;
}

const FILE_NAME = /^(\d{4})_([a-z0-9][a-z0-9_]*)\.sql$/;

export async function readMigrationFiles(directory: string): Promise<MigrationFile[]> {
  const names = (await readdir(directory)).filter((name) => name.endsWith('.sql')).sort();
  const files = await Promise.all(
    names.map(async (fileName) => parseMigrationFile(fileName, await readFile(join(directory, fileName), 'utf8'))),
  );
  const seen = new Map<number, string>();
  for (const file of files) {
    const clash = seen.get(file.version);
    if (clash) {
      throw new Error(`migrations ${clash} and ${file.fileName} share version ${file.version}`);
    }
    seen.set(file.version, file.fileName);
  }
  return files;
}

export function parseMigrationFile(fileName: string, text: string): MigrationFile {
  const match = FILE_NAME.exec(fileName);
  if (!match) {
    throw new Error(`migration file ${fileName} is not named NNNN_lower_snake_name.sql`);
  }
  const normalised = text.replace(/\r\n/g, '\n');
  const statements = splitStatements(normalised);
  if (statements.length === 0) {
    throw new Error(`migration file ${fileName} holds no statement`);
  }
  return {
    version: Number(match[1]),
    name: match[2] as string,
    fileName,
    checksum: createHash('sha256').update(normalised).digest('hex'),
    statements,
  };
}

/**
 * The files still to apply, in order. Refuses — rather than guessing — when history and files
 * disagree: an applied file was edited, an applied file is gone, or a new file sorts before one
 * that is already applied.
 */
export function pendingMigrations(files: readonly MigrationFile[], applied: readonly AppliedMigration[]): MigrationFile[] {
  const byVersion = new Map(files.map((file) => [file.version, file]));
  let highestApplied = 0;
  for (const record of applied) {
    const file = byVersion.get(record.version);
    const label = `${String(record.version).padStart(4, '0')}_${record.name}`;
    if (!file) {
      throw new Error(`migration ${label} was applied but its file is missing`);
    }
    if (file.checksum !== record.checksum) {
      throw new Error(
        `migration ${file.fileName} changed after it was applied ` +
          `(checksum ${record.checksum.slice(0, 12)}… now ${file.checksum.slice(0, 12)}…); add a new migration instead`,
      );
    }
    highestApplied = Math.max(highestApplied, record.version);
  }
  const appliedVersions = new Set(applied.map((record) => record.version));
  const pending = files.filter((file) => !appliedVersions.has(file.version));
  const early = pending.find((file) => file.version < highestApplied);
  if (early) {
    throw new Error(`migration ${early.fileName} sorts before the already applied version ${highestApplied}; renumber it`);
  }
  return pending;
}
