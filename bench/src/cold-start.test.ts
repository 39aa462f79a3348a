import { existsSync } from 'node:fs';
import path from 'node:path';
import { type FunctionId, functionDeclarations } from '@podero-bridge/functions/declarations';
import { describe, expect, it } from 'vitest';
import { FLOORS, FUNCTION_IDS, NOT_MEASURED } from './cold-start';

describe('the cold-start benchmark', () => {
  it('measures every deployed function, or names it as not measured yet', () => {
    const declared = Object.keys(functionDeclarations).sort();
    const covered: FunctionId[] = [...FUNCTION_IDS, ...NOT_MEASURED];
    expect([...covered].sort()).toEqual(declared);
    expect(new Set(covered).size).toBe(covered.length);
  });

  it('has an SDK floor in children/floors/ for each measured function', () => {
    for (const id of FUNCTION_IDS) {
      const floor = FLOORS[id];
      expect(floor, id).toBeDefined();
      expect(existsSync(path.join(import.meta.dirname, 'children', 'floors', floor.file)), floor.file).toBe(
        true,
      );
    }
  });
});
