// The whole-suite leak scan run by scripts/test.mjs after vitest: every log line the test workers wrote
// (captured by test/support/leak-capture-setup.ts) and every synthesized CloudFormation template is
// searched for the client secrets the Podero simulator accepted and every access token it issued
// (both recorded through PODERO_SIM_ISSUED_TOKENS_FILE). A finding names the file, line and kind of
// secret, never the value, so a failing run cannot leak what it found.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Mirrors CLIENT_SECRET_LINE_PREFIX in packages/podero-simulator/src/issued-secrets-log.ts. */
export const CLIENT_SECRET_LINE_PREFIX = 'client_secret\t';
/** A token is a leak even when only its first PREFIX_LENGTH characters were written (e.g. truncated). */
export const PREFIX_LENGTH = 16;
/** Shorter values cannot be searched for without matching ordinary text; none of the simulator's are. */
export const MIN_NEEDLE_LENGTH = 8;

/** Reads the simulator's record: bare lines are access tokens, prefixed lines client secrets. */
export function readIssuedSecrets(file) {
  const tokens = new Set();
  const clients = new Map();
  if (!existsSync(file)) return { tokens: [], clientSecrets: [] };
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line === '') continue;
    if (line.startsWith(CLIENT_SECRET_LINE_PREFIX)) {
      const [clientId = '', secret = ''] = line.slice(CLIENT_SECRET_LINE_PREFIX.length).split('\t');
      if (secret !== '') clients.set(`${clientId}\t${secret}`, { clientId, secret });
    } else {
      tokens.add(line);
    }
  }
  return { tokens: [...tokens], clientSecrets: [...clients.values()] };
}

/** Every form in which a secret could be written: a token whole or cut; a client secret plain, url-encoded or in a Basic header. */
export function buildNeedles({ tokens, clientSecrets }) {
  const needles = [];
  for (const token of tokens) needles.push({ kind: 'access token', value: token, prefixCounts: true });
  for (const { clientId, secret } of clientSecrets) {
    const forms = new Set([
      secret,
      encodeURIComponent(secret),
      Buffer.from(`${clientId}:${secret}`).toString('base64'),
      Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64'),
    ]);
    for (const value of forms) needles.push({ kind: 'client secret', value, prefixCounts: false });
  }
  return needles.filter((needle) => needle.value.length >= MIN_NEEDLE_LENGTH);
}

/**
 * Returns a function that lists the needles found in a line. Long needles are indexed by their first
 * PREFIX_LENGTH characters, so a line costs one set lookup per position however many thousand tokens
 * the suite issued; the few shorter ones are searched for directly.
 */
export function createMatcher(needles) {
  const byPrefix = new Map();
  const short = [];
  for (const needle of needles) {
    if (needle.value.length < PREFIX_LENGTH) {
      short.push(needle);
      continue;
    }
    const prefix = needle.value.slice(0, PREFIX_LENGTH);
    const list = byPrefix.get(prefix) ?? [];
    list.push(needle);
    byPrefix.set(prefix, list);
  }
  return (line) => {
    const kinds = new Set();
    for (const needle of short) if (line.includes(needle.value)) kinds.add(needle.kind);
    if (byPrefix.size > 0) {
      for (let i = 0; i + PREFIX_LENGTH <= line.length; i++) {
        const candidates = byPrefix.get(line.slice(i, i + PREFIX_LENGTH));
        if (candidates === undefined) continue;
        for (const needle of candidates) {
          if (needle.prefixCounts || line.startsWith(needle.value, i)) kinds.add(needle.kind);
        }
      }
    }
    return [...kinds];
  };
}

/** Scans files line by line: `{ findings: [{ file, line, kind }], files, lines }` (line numbers from 1). */
export function scanFiles(files, needles) {
  const match = createMatcher(needles);
  const findings = [];
  let lines = 0;
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const fileLines = text.split('\n');
    if (fileLines.at(-1) === '') fileLines.pop();
    lines += fileLines.length;
    fileLines.forEach((line, index) => {
      for (const kind of match(line)) findings.push({ file, line: index + 1, kind });
    });
  }
  return { findings, files: files.length, lines };
}

/** Files under `dir` (recursively) whose name passes `accept`; a missing dir yields none. */
export function listFiles(dir, accept) {
  if (!existsSync(dir)) return [];
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...listFiles(path, accept));
    else if (entry.isFile() && accept(entry.name, path)) found.push(path);
  }
  return found.sort();
}

/**
 * The scan as `pnpm test` runs it: the capture files, plus every `*.template.json` under the template
 * roots (cdk.out directories, and the temp dir the test run's synths write to).
 */
export function runLeakScan({ issuedSecretsFile, captureDir, templateRoots = [] }) {
  const issued = readIssuedSecrets(issuedSecretsFile);
  const captures = listFiles(captureDir, () => true);
  const templates = templateRoots.flatMap((dir) =>
    listFiles(dir, (name, path) => name.endsWith('.template.json') && statSync(path).size > 0),
  );
  const result = scanFiles([...captures, ...templates], buildNeedles(issued));
  return {
    ...result,
    tokens: issued.tokens.length,
    clientSecrets: issued.clientSecrets.length,
    captureFiles: captures.length,
    templateFiles: templates.length,
  };
}

/** What `pnpm test` prints: one summary line, or one line per finding naming only file, line and kind. */
export function reportLines(result) {
  if (result.findings.length === 0) {
    return [`leak scan: ok (${result.tokens} tokens, ${result.files} files, ${result.lines} lines)`];
  }
  return [
    ...result.findings.map((f) => `leak scan: ${f.kind} found in ${f.file}:${f.line}`),
    `leak scan: FAILED (${result.findings.length} findings; ${result.tokens} tokens, ${result.files} files, ${result.lines} lines)`,
  ];
}
