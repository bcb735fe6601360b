import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseMigrationFile, pendingMigrations, readMigrationFiles, type MigrationFile } from './migration-files.js';

const file = (version: number, body = `CREATE TABLE IF NOT EXISTS t${version} (x UInt8) ENGINE = Memory;`): MigrationFile =>
  parseMigrationFile(`${String(version).padStart(4, '0')}_step_${version}.sql`, body);

const applied = (migration: MigrationFile) => ({ version: migration.version, name: migration.name, checksum: migration.checksum });

describe('parseMigrationFile', () => {
  it('reads version, name, statements and a line-ending-independent checksum', () => {
    const unix = parseMigrationFile('0007_add_things.sql', 'SELECT 1;\nSELECT 2;\n');
    const windows = parseMigrationFile('0007_add_things.sql', 'SELECT 1;\r\nSELECT 2;\r\n');
    expect(unix).toMatchObject({ version: 7, name: 'add_things', statements: ['SELECT 1', 'SELECT 2'] });
    expect(unix.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(windows.checksum).toBe(unix.checksum);
  });

  it.each(['7_x.sql', '0007-x.sql', '0007_X.sql', '0007_.sql'])('refuses the name %s', (name) => {
    expect(() => parseMigrationFile(name, 'SELECT 1')).toThrow(/NNNN_lower_snake_name/);
  });

  it('refuses a file without statements', () => {
    expect(() => parseMigrationFile('0001_empty.sql', '-- nothing\n')).toThrow(/no statement/);
  });
});

describe('readMigrationFiles', () => {
  let directory: string | undefined;
  afterEach(async () => directory && rm(directory, { recursive: true, force: true }));

  it('returns .sql files sorted and refuses duplicate versions', async () => {
    directory = await mkdtemp(join(tmpdir(), 'migrations-'));
    await writeFile(join(directory, '0002_b.sql'), 'SELECT 2');
    await writeFile(join(directory, '0001_a.sql'), 'SELECT 1');
    await writeFile(join(directory, 'README.md'), 'not a migration');
    expect((await readMigrationFiles(directory)).map((f) => f.fileName)).toEqual(['0001_a.sql', '0002_b.sql']);
    await writeFile(join(directory, '0002_c.sql'), 'SELECT 3');
    await expect(readMigrationFiles(directory)).rejects.toThrow(/share version 2/);
  });
});

describe('pendingMigrations', () => {
  const [one, two, three] = [file(1), file(2), file(3)];

  it('returns the files not yet applied, in order', () => {
    expect(pendingMigrations([one, two, three], [applied(one)]).map((f) => f.version)).toEqual([2, 3]);
    expect(pendingMigrations([one, two, three], [one, two, three].map(applied))).toEqual([]);
  });

  it('refuses an applied file whose content changed', () => {
    const edited = file(2, 'CREATE TABLE IF NOT EXISTS t2 (x UInt16) ENGINE = Memory;');
    expect(() => pendingMigrations([one, edited], [applied(one), applied(two)])).toThrow(/0002_step_2.sql changed after it was applied/);
  });

  it('refuses when an applied file is missing', () => {
    expect(() => pendingMigrations([one], [applied(one), applied(two)])).toThrow(/0002_step_2 was applied but its file is missing/);
  });

  it('refuses a new file that sorts before an applied one', () => {
    expect(() => pendingMigrations([one, two, three], [applied(one), applied(three)])).toThrow(/0002_step_2.sql sorts before/);
  });
});
