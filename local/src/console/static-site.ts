import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { GatewayResponse } from '../gateway/response';

/**
 * The operator console's built files at `/console/`, the way CloudFront serves them in AWS: the same security
 * headers (cdk/src/constructs/console-site.ts sets them there), hashed assets cached for good, `index.html`
 * never, and `config.json` written by the stack rather than read from disk.
 */
export interface ConsoleSiteOptions {
  /** The built console (`console/dist`). */
  dir: string;
  /** Served as `/console/config.json`. */
  config: unknown;
}

export const CONSOLE_PREFIX = '/console/';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** The console's content security policy: its own scripts and styles only, its API calls to this origin. */
export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

const notFound = (): GatewayResponse => ({
  statusCode: 404,
  headers: { 'content-type': 'text/plain; charset=utf-8', ...CONSOLE_SECURITY_HEADERS },
  body: Buffer.from('Not Found'),
});

export function createConsoleSite(options: ConsoleSiteOptions) {
  const root = path.resolve(options.dir);
  const configBody = Buffer.from(JSON.stringify(options.config));
  return async function serveConsole(method: string, urlPath: string): Promise<GatewayResponse | undefined> {
    if (urlPath === '/console') {
      return { statusCode: 301, headers: { location: CONSOLE_PREFIX }, body: Buffer.alloc(0) };
    }
    if (!urlPath.startsWith(CONSOLE_PREFIX)) return undefined;
    if (method !== 'GET' && method !== 'HEAD') {
      return {
        statusCode: 405,
        headers: { allow: 'GET, HEAD', ...CONSOLE_SECURITY_HEADERS },
        body: Buffer.alloc(0),
      };
    }
    let relative: string;
    try {
      relative = decodeURIComponent(urlPath.slice(CONSOLE_PREFIX.length)) || 'index.html';
    } catch {
      return notFound();
    }
    if (relative === 'config.json') {
      return {
        statusCode: 200,
        headers: {
          'content-type': 'application/json',
          'cache-control': 'no-store',
          ...CONSOLE_SECURITY_HEADERS,
        },
        body: configBody,
      };
    }
    const file = path.resolve(root, relative);
    // No way out of the build directory, whatever the path says (`..`, encoded or not).
    if (file !== root && !file.startsWith(`${root}${path.sep}`)) return notFound();
    const found = await stat(file).catch(() => undefined);
    if (found === undefined || !found.isFile()) return notFound();
    const immutable = relative.startsWith('assets/');
    return {
      statusCode: 200,
      headers: {
        'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        ...CONSOLE_SECURITY_HEADERS,
      },
      body: method === 'HEAD' ? Buffer.alloc(0) : await readFile(file),
    };
  };
}
