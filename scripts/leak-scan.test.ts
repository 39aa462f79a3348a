import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildNeedles, readIssuedSecrets, reportLines, runLeakScan } from './leak-scan.mjs';

// Shaped like the simulator's (30 alphanumerics) and its client credentials; all fake.
const TOKEN_A = 'Qx7pLm2Rt9Vb4Nc8Hs1Kd6Wf3Jg5Yz';
const TOKEN_B = 'aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1';
const CLIENT_ID = 'planted-client';
const CLIENT_SECRET = 'planted-client-secret';

let root: string;
let issuedSecretsFile: string;
let captureDir: string;
let templateDir: string;

function writeCapture(name: string, lines: string[]): string {
  const file = join(captureDir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'leak-scan-test-'));
  issuedSecretsFile = join(root, 'issued.txt');
  captureDir = join(root, 'logs');
  templateDir = join(root, 'tmp', 'cdk.outAbc');
  mkdirSync(captureDir);
  mkdirSync(templateDir, { recursive: true });
  writeFileSync(
    issuedSecretsFile,
    [`client_secret\t${CLIENT_ID}\t${CLIENT_SECRET}`, TOKEN_A, TOKEN_B, TOKEN_A, ''].join('\n'),
  );
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('leak scan', () => {
  it('reads tokens and prefixed client secrets apart, without duplicates', () => {
    expect(readIssuedSecrets(issuedSecretsFile)).toEqual({
      tokens: [TOKEN_A, TOKEN_B],
      clientSecrets: [{ clientId: CLIENT_ID, secret: CLIENT_SECRET }],
    });
  });

  it('passes clean captures and templates, counting what it read', () => {
    writeCapture('worker-1.log', [
      '{"level":"DEBUG","message":"token refreshed","expires_in":36000}',
      'plain',
    ]);
    writeFileSync(join(templateDir, 'Stack.template.json'), '{"Resources":{}}\n');
    const result = runLeakScan({ issuedSecretsFile, captureDir, templateRoots: [join(root, 'tmp')] });
    expect(result).toMatchObject({ findings: [], tokens: 2, files: 2, lines: 3, templateFiles: 1 });
    expect(reportLines(result)).toEqual(['leak scan: ok (2 tokens, 2 files, 3 lines)']);
  });

  it('finds a planted token, a truncated token and every form of the client secret, by file and line', () => {
    const log = writeCapture('worker-2.log', [
      '{"level":"INFO","message":"ok"}',
      `{"level":"DEBUG","headers":{"authorization":"Bearer ${TOKEN_B}"}}`,
      `retrying with token ${TOKEN_A.slice(0, 16)}...`,
      `body client_secret=${encodeURIComponent(CLIENT_SECRET)}&grant_type=client_credentials`,
    ]);
    const template = join(templateDir, 'Stack.template.json');
    writeFileSync(
      template,
      `{\n"Basic": "${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}"\n}\n`,
    );
    const result = runLeakScan({ issuedSecretsFile, captureDir, templateRoots: [join(root, 'tmp')] });
    expect(result.findings).toEqual([
      { file: log, line: 2, kind: 'access token' },
      { file: log, line: 3, kind: 'access token' },
      { file: log, line: 4, kind: 'client secret' },
      { file: template, line: 2, kind: 'client secret' },
    ]);
    const report = reportLines(result).join('\n');
    expect(report).toContain(`access token found in ${log}:2`);
    expect(report).toMatch(/leak scan: FAILED \(4 findings/);
    // The report names places only: no needle, whole or in part, is printed.
    for (const needle of buildNeedles(readIssuedSecrets(issuedSecretsFile))) {
      expect(report.includes(needle.value.slice(0, 12))).toBe(false);
    }
  });

  it('does not flag text that merely shares a client secret prefix', () => {
    writeCapture('worker-3.log', [`${CLIENT_SECRET.slice(0, 16)}-other-value`, TOKEN_A.slice(0, 15)]);
    const result = runLeakScan({ issuedSecretsFile, captureDir });
    expect(result.findings).toEqual([]);
  });
});
