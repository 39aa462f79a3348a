// Types for scripts/leak-scan.mjs (plain JavaScript so scripts/test.mjs runs it under bare Node).
export declare const CLIENT_SECRET_LINE_PREFIX: string;
export declare const PREFIX_LENGTH: number;
export declare const MIN_NEEDLE_LENGTH: number;

export interface IssuedSecrets {
  tokens: string[];
  clientSecrets: { clientId: string; secret: string }[];
}
export interface Needle {
  kind: 'access token' | 'client secret';
  value: string;
  /** True when the value's first PREFIX_LENGTH characters alone are a finding. */
  prefixCounts: boolean;
}
export interface Finding {
  file: string;
  line: number;
  kind: Needle['kind'];
}
export interface ScanResult {
  findings: Finding[];
  files: number;
  lines: number;
}

export declare function readIssuedSecrets(file: string): IssuedSecrets;
export declare function buildNeedles(issued: IssuedSecrets): Needle[];
export declare function createMatcher(needles: readonly Needle[]): (line: string) => Needle['kind'][];
export declare function scanFiles(files: readonly string[], needles: readonly Needle[]): ScanResult;
export declare function listFiles(dir: string, accept: (name: string, path: string) => boolean): string[];
export declare function runLeakScan(options: {
  issuedSecretsFile: string;
  captureDir: string;
  templateRoots?: readonly string[];
}): ScanResult & { tokens: number; clientSecrets: number; captureFiles: number; templateFiles: number };
export declare function reportLines(result: ScanResult & { tokens: number }): string[];
