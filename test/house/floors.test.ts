/**
 * The floors of functions/src (docs/ARCHITECTURE.md) as far as Biome cannot see them: Biome's noImportCycles
 * finds circles between files, this finds circles between folders (a service folder importing another that
 * imports it back through other files), and checks that every deployed function has its folder and its
 * lint override. Reads files only (unit tier).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { functionDeclarations } from '@podero-bridge/functions/declarations';
import { describe, expect, it } from 'vitest';
import { FLOORS_PROBE_PREFIX } from '../support/floors-probe';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SRC = path.join(ROOT, 'functions/src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    // The lint test's probes come and go while this runs beside it: neither part of the plan nor there to stat.
    if (name.startsWith(FLOORS_PROBE_PREFIX)) return [];
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [full] : [];
  });
}

/** The folder a file lives in, as a node of the graph: `lambdas/<id>`, `domain/<part>`, a service, a floor. */
function nodeOf(file: string): string {
  const parts = path.relative(SRC, file).split(path.sep);
  if (parts.length === 1) return parts[0] as string;
  if ((parts[0] === 'lambdas' || parts[0] === 'domain') && parts.length > 2) return `${parts[0]}/${parts[1]}`;
  return parts[0] as string;
}

function resolve(from: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {}
  }
  return undefined;
}

function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(SRC)) {
    const from = nodeOf(file);
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      const target = resolve(file, match[1] as string);
      if (!target) continue;
      const to = nodeOf(target);
      if (to !== from) edges.add(to);
    }
  }
  return graph;
}

/** Every circle of the graph (as the folders on it), found by depth-first search. */
function circles(graph: Map<string, Set<string>>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

describe('the floors of functions/src', () => {
  it('has one folder per deployed function under lambdas/, plus shared', () => {
    const folders = readdirSync(path.join(SRC, 'lambdas')).sort();
    expect(folders).toEqual([...Object.keys(functionDeclarations), 'shared'].sort());
    for (const declaration of Object.values(functionDeclarations)) {
      expect(declaration.entry).toBe(`src/lambdas/${declaration.id}/entry.ts`);
      for (const file of ['entry.ts', 'handler.ts', 'deps.ts']) {
        expect(statSync(path.join(SRC, 'lambdas', declaration.id, file)).isFile()).toBe(true);
      }
    }
  });

  it('has no circle between folders', () => {
    expect(circles(folderGraph())).toEqual([]);
  });

  it('keeps Lambda out of everything but lambdas/ and compose.ts (no aws-lambda types, no Lambda context)', () => {
    const knowing = sourceFiles(SRC)
      .map((file) => path.relative(SRC, file))
      .filter((file) => !file.startsWith(`lambdas${path.sep}`) && file !== 'compose.ts')
      .filter((file) =>
        /from 'aws-lambda'|getRemainingTimeInMillis/.test(readFileSync(path.join(SRC, file), 'utf8')),
      );
    expect(knowing).toEqual([]);
  });

  it('finds a circle between folders when there is one (the check can fail)', () => {
    const graph = new Map([
      ['users', new Set(['devices'])],
      ['devices', new Set(['storage', 'users'])],
      ['storage', new Set<string>()],
    ]);
    expect(circles(graph)).toEqual([['users', 'devices', 'users']]);
  });

  it('keeps every function folder apart in biome.json (its overrides list the other folders)', () => {
    const config = JSON.parse(readFileSync(path.join(ROOT, 'biome.json'), 'utf8')) as {
      overrides: { includes: string[]; linter?: { rules?: { style?: { noRestrictedImports?: unknown } } } }[];
    };
    for (const id of [...Object.keys(functionDeclarations), 'shared']) {
      // One override for the folder's own files, one for its subfolders (routes/): `../x` and `../../x`.
      for (const files of [`functions/src/lambdas/${id}/*.ts`, `functions/src/lambdas/${id}/*/**`]) {
        const override = config.overrides.find((o) => o.includes.includes(files));
        expect(override, `an override for ${files}`).toBeDefined();
        const restricted = JSON.stringify(override?.linter?.rules?.style?.noRestrictedImports);
        for (const other of Object.keys(functionDeclarations).filter((o) => o !== id)) {
          expect(restricted, `${files} may not import lambdas/${other}`).toContain(`**/lambdas/${other}/**`);
        }
      }
    }
  });
});
