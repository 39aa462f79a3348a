/**
 * `pnpm bench:profile <file.cpuprofile> [top]`: the self and inclusive time of a V8 CPU profile (written by
 * `BENCH_CPU_PROF=<dir> pnpm bench cold-start`), mapped through the bundle's source map to the original
 * package or source file, so that a minified bundle's profile says which module spends the time.
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const profileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({
        functionName: z.string(),
        url: z.string(),
        lineNumber: z.number(),
        columnNumber: z.number(),
      }),
      children: z.array(z.number()).optional(),
    }),
  ),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

const maps = new Map<string, SourceMap | null>();
function sourceMapOf(url: string): SourceMap | null {
  if (!url.startsWith('file://')) return null;
  let map = maps.get(url);
  if (map === undefined) {
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${fileURLToPath(url)}.map`, 'utf8')));
    } catch {
      map = null;
    }
    maps.set(url, map);
  }
  return map;
}

/** A package name (`@aws-sdk/core`, `zod`) or a repository path, from the original source file. */
function moduleOf(source: string): string {
  const at = source.lastIndexOf('node_modules/');
  if (at >= 0) {
    const rest = source.slice(at + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? source);
  }
  const repo = source.search(/(functions|packages|local|bench)\//);
  return repo >= 0 ? source.slice(repo) : source;
}

function locate(frame: { url: string; lineNumber: number; columnNumber: number; functionName: string }) {
  if (frame.url === '') return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  if (frame.url.startsWith('node:')) return frame.url;
  const map = sourceMapOf(frame.url);
  const entry = map?.findEntry(frame.lineNumber, frame.columnNumber);
  if (entry && 'originalSource' in entry && entry.originalSource) return moduleOf(entry.originalSource);
  return frame.url;
}

const [file, topArg, detail] = process.argv.slice(2).filter((a) => a !== '--');
if (!file) {
  console.error(
    'usage: pnpm bench:profile <file.cpuprofile> [top] [module: its functions and their callers]',
  );
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = profileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const selfUs = new Map<string, number>();
const totalUs = new Map<string, number>();
const detailUs = new Map<string, number>();
let sampledUs = 0;
profile.samples.forEach((id, i) => {
  const us = profile.timeDeltas[i] ?? 0;
  sampledUs += us;
  const node = byId.get(id);
  if (!node) return;
  const self = locate(node.callFrame);
  selfUs.set(self, (selfUs.get(self) ?? 0) + us);
  if (detail !== undefined) {
    // The first frame inside `detail` (from the leaf up) and the frame that called into the module.
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at);
      if (!frame || locate(frame.callFrame) !== detail) continue;
      let caller: number | undefined = parent.get(at);
      while (caller !== undefined && locate(byId.get(caller)?.callFrame ?? frame.callFrame) === detail)
        caller = parent.get(caller);
      const callerFrame = caller === undefined ? undefined : byId.get(caller)?.callFrame;
      const key = `${frame.callFrame.functionName || '(anonymous)'} <- ${callerFrame ? `${callerFrame.functionName || '(anonymous)'} in ${locate(callerFrame)}` : '(root)'}`;
      detailUs.set(key, (detailUs.get(key) ?? 0) + us);
      break;
    }
  }
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const frame = byId.get(at);
    if (!frame) break;
    const where = locate(frame.callFrame);
    if (seen.has(where)) continue;
    seen.add(where);
    totalUs.set(where, (totalUs.get(where) ?? 0) + us);
  }
});
const print = (title: string, figures: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [where, us] of [...figures].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(
      `${(us / 1000).toFixed(1).padStart(8)} ms  ${((us / sampledUs) * 100).toFixed(1).padStart(5)} %  ${where}`,
    );
  }
};
console.log(`${file}: ${(sampledUs / 1000).toFixed(1)} ms sampled`);
print('self time by module', selfUs);
print('inclusive time by module', totalUs);
if (detail !== undefined)
  print(`time in ${detail}, by its innermost function <- the caller outside it`, detailUs);
