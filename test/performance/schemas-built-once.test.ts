/**
 * Speed regression guard (issue 21): no zod schema is built inside a function that runs per request, per
 * user or per item. zod 4 builds a schema's parser (and JIT-compiles it) per schema object, so a schema
 * built inside a call is built and compiled again on every call: the Podero client's list schemas and the
 * outbox's entry schema were, and they were a visible share of the sync's CPU per user. Functions that
 * build schemas only at module scope or once per container are listed below with the reason.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { FLOORS_PROBE_PREFIX } from '../support/floors-probe';

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
const SCANNED = ['functions/src', 'packages/podero-client/src'];

/** `file#name` of the functions allowed to build schemas, and why each runs only once. */
const BUILT_ONCE: Readonly<Record<string, string>> = {
  'packages/podero-client/src/schema-parts.ts#looseEnum': 'a schema factory called at module scope',
  'packages/podero-client/src/schema-parts.ts#oneOrMany': 'a schema factory called at module scope',
  'functions/src/devices/schemas.ts#queryInt': 'a schema factory called at module scope',
  'functions/src/devices/insights-schemas.ts#commaList': 'a schema factory called at module scope',
  'functions/src/domain/text.ts#freeText': 'a schema factory called at module scope',
  'functions/src/domain/devices/view.ts#deviceViewOf':
    "a kind's view: the factory is called once per kind, at its module's scope",
  'functions/src/domain/devices/view.ts#deviceEnvelopesOf':
    "a kind's list and read answers: called once per kind, at its module's scope",
  'functions/src/operator/schemas.ts#connectionCountsSchema': 'a schema factory called at module scope',
  'functions/src/operator/schemas.ts#lastReadingSchema': 'a schema factory called at module scope',
  'functions/src/domain/events/catalogue.ts#bridgeEventSchema': 'a callback run while the module loads',
  'functions/src/domain/events/catalogue.ts#deviceSubject': 'a schema factory called at module scope',
  'functions/src/domain/events/catalogue.ts#standardDeviceEvents':
    "a kind's standard events: called once per kind, at the catalogue's scope",
  'functions/src/domain/events/catalogue.ts#webhookPayloadSchemaOf':
    'the OpenAPI document, built once per container',
  'functions/src/lambdas/api/openapi.ts#*': 'the OpenAPI document, built once per container on first use',
  'functions/src/config.ts#parseDeclared': 'the environment, parsed once per container at cold start',
  'functions/src/config.ts#withDefault': 'a schema factory called at module scope',
  'functions/src/config.ts#positiveInt': 'a schema factory called at module scope',
  'functions/src/config.ts#flag': 'a schema factory called at module scope',
  'functions/src/devices/charging-schemas.ts#chargingSessionSchema': 'a callback run while the module loads',
  'functions/src/lambdas/api/routes/all-devices.ts#entries':
    "each kind's entry in the list of every device: a callback run while the module loads",
  'functions/src/domain/events/catalogue.ts#settledChange':
    "a settled change's payload: called by deviceChangeEvents, once per kind, at the catalogue's scope",
  'functions/src/domain/events/catalogue.ts#deviceChangeEvents':
    "a kind's change events: called once per kind, at the catalogue's scope",
  'functions/src/domain/events/catalogue.ts#healthDeviceEvents':
    "a kind's health events: called once per kind, at the catalogue's scope",
  'functions/src/domain/events/catalogue.ts#reportingEvent':
    "a health event's payload: called by healthDeviceEvents, twice per kind, at the catalogue's scope",
  'functions/src/domain/events/catalogue.ts#steeringEvent':
    "a health event's payload: called by healthDeviceEvents, twice per kind, at the catalogue's scope",
  'functions/src/lambdas/api/routes/charging.ts#boostAnswerOf':
    "a boost's answer: the factory is called once per kind, at the module's scope",
};

/**
 * The name of the function a node is in: its own, else the variable or property it is assigned to, else
 * (a callback) the name of whatever encloses the call it is passed to.
 */
function enclosingName(node: ts.Node): string | undefined {
  let fn: ts.Node | undefined = node.parent;
  while (fn && !isFunctionLike(fn)) fn = fn.parent;
  if (!fn) return undefined;
  if ((ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn)) && fn.name) return fn.name.getText();
  for (let at: ts.Node | undefined = fn.parent; at; at = at.parent) {
    if (ts.isVariableDeclaration(at) || ts.isPropertyAssignment(at) || ts.isPropertyDeclaration(at))
      return at.name.getText();
    if (isFunctionLike(at)) return enclosingName(fn);
  }
  return undefined;
}

const isFunctionLike = (node: ts.Node) =>
  ts.isFunctionDeclaration(node) ||
  ts.isFunctionExpression(node) ||
  ts.isArrowFunction(node) ||
  ts.isMethodDeclaration(node) ||
  ts.isConstructorDeclaration(node) ||
  ts.isGetAccessorDeclaration(node) ||
  ts.isSetAccessorDeclaration(node);

/** `z.…(...)` calls inside a function body, by `file#enclosing name` and line. */
export function schemasBuiltInFunctions(file: string, source: string): { key: string; line: number }[] {
  const sourceFile = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const found: { key: string; line: number }[] = [];
  const visit = (node: ts.Node, insideFunction: boolean) => {
    if (insideFunction && ts.isCallExpression(node)) {
      // z.object(...), z.coerce.number(...), z.iso.date(...): any call on a property chain rooted at `z`.
      let root: ts.Expression = node.expression;
      while (ts.isPropertyAccessExpression(root)) root = root.expression;
      if (ts.isPropertyAccessExpression(node.expression) && ts.isIdentifier(root) && root.text === 'z') {
        const line = sourceFile.getLineAndCharacterOfPosition(node.getStart()).line + 1;
        found.push({ key: `${file}#${enclosingName(node) ?? '(anonymous)'}`, line });
      }
    }
    ts.forEachChild(node, (child) => visit(child, insideFunction || isFunctionLike(node)));
  };
  visit(sourceFile, false);
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(REPO_ROOT, dir)).flatMap((name) => {
    // The floors lint test's probes come and go in functions/src while this runs beside it.
    if (name.startsWith(FLOORS_PROBE_PREFIX)) return [];
    const relative = `${dir}/${name}`;
    if (statSync(path.join(REPO_ROOT, relative)).isDirectory()) return sourceFiles(relative);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts') ? [relative] : [];
  });
}

describe('zod schemas are built once, never per call', () => {
  it('finds a schema built inside a function, and none at module scope', () => {
    const found = schemasBuiltInFunctions(
      'x.ts',
      [
        'const atLoad = z.object({ a: z.string() });',
        'export function perCall(json: string) {',
        '  return z.object({ id: z.string() }).parse(JSON.parse(json));',
        '}',
        'const client = { list: async () => call(z.array(atLoad)) };',
        'function coerced() { return z.coerce.number(); }',
      ].join('\n'),
    );
    expect(found).toEqual([
      { key: 'x.ts#perCall', line: 3 },
      { key: 'x.ts#perCall', line: 3 },
      { key: 'x.ts#list', line: 5 },
      { key: 'x.ts#coerced', line: 6 },
    ]);
  });

  it('builds every schema of the functions and the Podero client at module scope (or once, as listed)', () => {
    const files = SCANNED.flatMap(sourceFiles);
    expect(files.length).toBeGreaterThan(50);
    const offending = files
      .flatMap((file) => schemasBuiltInFunctions(file, readFileSync(path.join(REPO_ROOT, file), 'utf8')))
      .filter(({ key }) => !(key in BUILT_ONCE) && !(`${key.split('#')[0]}#*` in BUILT_ONCE))
      .map(({ key, line }) => `${key}:${line}`);
    expect(offending).toEqual([]);
  });

  it('lists no function that no longer builds a schema', () => {
    const keys = new Set(
      SCANNED.flatMap(sourceFiles).flatMap((file) =>
        schemasBuiltInFunctions(file, readFileSync(path.join(REPO_ROOT, file), 'utf8')).map(({ key }) => key),
      ),
    );
    const stale = Object.keys(BUILT_ONCE).filter(
      (key) =>
        !keys.has(key) && !(key.endsWith('#*') && [...keys].some((k) => k.startsWith(key.slice(0, -1)))),
    );
    expect(stale).toEqual([]);
  });
});
