/**
 * Comparing rendered few-shot contexts with the Python-made fixtures of test/reference/fewshot/
 * (lm-eval 0.4's fixtures.json and the pre-0.4 harness's leaderboard.json): contexts are stored
 * as SHA-256 digests with their lengths in code points, never as text.
 */
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import type { MultipleChoiceInstance } from '../../src-worker/eval/instances';

export const sha = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
/** Length in code points, as Python's len(). */
export const chars = (s: string): number => [...s].length;
export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Each fixture document's context (one shared by every choice) has the fixture's digest. */
export function expectSharedContexts(
  instances: readonly MultipleChoiceInstance[],
  fixtures: readonly { doc: number; chars: number; sha256: string }[],
): void {
  for (const c of fixtures) {
    const inst = instances[c.doc];
    const context = inst?.requests[0]?.context ?? '';
    expect({ doc: c.doc, chars: chars(context), sha: sha(context) }).toEqual({
      doc: c.doc,
      chars: c.chars,
      sha: c.sha256,
    });
    expect(inst?.requests.every((r) => r.context === context)).toBe(true);
  }
}

/** A WinoGrande instance: one context per option, and the shared continuation, as the fixture. */
export function expectOptionContexts(
  inst: MultipleChoiceInstance | undefined,
  fixture: { sha256: string[]; chars: number[]; continuation: string },
): void {
  const contexts = inst?.requests.map((r) => r.context) ?? [];
  expect(contexts.map(sha)).toEqual(fixture.sha256);
  expect(contexts.map(chars)).toEqual(fixture.chars);
  expect(sha(inst?.requests[0]?.continuation ?? '')).toBe(fixture.continuation);
}
