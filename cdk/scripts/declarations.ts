/**
 * The packed package's TypeScript declarations: `index.d.ts` and every module it reaches, as tsc emits them.
 *
 * The bundle (dist/index.js) carries zod and the functions' declarations inside it; its declarations cannot
 * import them either, or a partner's TypeScript would see `any` (an unresolved import is silently `any` under
 * `skipLibCheck`). So the public entry's types are written to reach only the peers (public-props.ts,
 * public-bridge.ts), and this walk fails the pack when a reachable declaration imports anything else. Relative
 * specifiers get their `.js`, which Node16/NodeNext resolution (a `cdk init` app's) requires.
 */
import path from 'node:path';
import ts from 'typescript';
import { PACKAGE_ROOT, REPO_ROOT } from '../src/artifacts';

/** What a declaration may import besides its siblings: the package's peer dependencies. */
const PEERS = /^(?:aws-cdk-lib(?:\/.+)?|constructs)$/;

/** `from '…'`, `import('…')` and `export … from '…'` specifiers in declaration text. */
const SPECIFIER = /(\bfrom\s+|\bimport\s*\(\s*)(['"])([^'"]+)\2/g;

export class DeclarationError extends Error {
  override readonly name = 'DeclarationError';
}

function compilerOptions(): ts.CompilerOptions {
  const configPath = path.join(REPO_ROOT, 'tsconfig.base.json');
  const { config, error } = ts.readConfigFile(configPath, ts.sys.readFile);
  if (error) throw new DeclarationError(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, REPO_ROOT);
  return {
    ...options,
    noEmit: false,
    declaration: true,
    emitDeclarationOnly: true,
    declarationMap: false,
    rootDir: REPO_ROOT,
    outDir: path.join(REPO_ROOT, '.declarations'),
  };
}

function describe(diagnostics: readonly ts.Diagnostic[]): string {
  return ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => REPO_ROOT,
    getNewLine: () => '\n',
  });
}

/**
 * The declarations of `entry` (a file in src/) and of every module they import, by path relative to src/
 * (`index.d.ts`, `public-props.d.ts`, ...), ready to write under dist/types/.
 */
export function emitDeclarations(entry: string): Map<string, string> {
  const options = compilerOptions();
  const sourceRoot = path.join(PACKAGE_ROOT, 'src');
  const program = ts.createProgram([entry], options);
  const emitted = new Map<string, string>();
  const pending = [path.resolve(entry)];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = program.getSourceFile(file);
    if (!source) throw new DeclarationError(`${file} is not in the program`);
    const errors = ts.getPreEmitDiagnostics(program, source);
    if (errors.length > 0) throw new DeclarationError(describe(errors));
    let text: string | undefined;
    const result = program.emit(source, (_name, data) => (text = data), undefined, true);
    if (result.diagnostics.length > 0) throw new DeclarationError(describe(result.diagnostics));
    if (text === undefined) throw new DeclarationError(`tsc emitted no declarations for ${file}`);
    const relative = path.relative(sourceRoot, file).replace(/\.ts$/, '.d.ts');
    const rewritten = text.replace(SPECIFIER, (_match, lead: string, quote: string, specifier: string) => {
      if (specifier.startsWith('.')) {
        pending.push(path.resolve(path.dirname(file), `${specifier}.ts`));
        return `${lead}${quote}${specifier}.js${quote}`;
      }
      if (!PEERS.test(specifier)) {
        throw new DeclarationError(
          `src/${relative} imports ${specifier}: the published declarations may import only aws-cdk-lib and constructs (the package's peers); give the public type a declaration of its own (public-props.ts, public-bridge.ts)`,
        );
      }
      return `${lead}${quote}${specifier}${quote}`;
    });
    if (/\/\/\/\s*<reference/.test(rewritten)) {
      throw new DeclarationError(
        `src/${relative} references ambient types: ${rewritten.match(/.*<reference.*/)?.[0]}`,
      );
    }
    emitted.set(relative, rewritten);
  }
  return emitted;
}
