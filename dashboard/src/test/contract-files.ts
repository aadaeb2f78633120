/**
 * The repository's contract files, read from disk so the Python and the TypeScript
 * suites check the very same golden messages and schemas.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `dashboard/`, wherever the repository is checked out. */
const DASHBOARD = fileURLToPath(new URL('../../', import.meta.url));

/** `contract/golden`, next to `dashboard/`. */
export const GOLDEN_DIR = resolve(DASHBOARD, '../contract/golden');

/** `contract/schemas`, next to `dashboard/`. */
export const SCHEMA_DIR = resolve(DASHBOARD, '../contract/schemas');

/** Names of the golden files starting with `prefix`, sorted. */
export function goldenNames(prefix: string): string[] {
  return readdirSync(GOLDEN_DIR)
    .filter((name) => name.startsWith(prefix) && name.endsWith('.json'))
    .sort();
}

/** Text of one golden file, without the trailing newline an editor may add. */
export function goldenText(name: string): string {
  return readFileSync(resolve(GOLDEN_DIR, name), 'utf8').trim();
}

/** One golden file parsed, as a mutable object to break in tests. */
export function goldenObject(name: string): Record<string, unknown> {
  return JSON.parse(goldenText(name)) as Record<string, unknown>;
}

/** A parsed JSON Schema, by its path under `contract/schemas` (`reading.json`, `ws/frame.json`). */
export function schema(name: string): unknown {
  return JSON.parse(readFileSync(resolve(SCHEMA_DIR, name), 'utf8')) as unknown;
}
