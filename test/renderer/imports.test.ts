import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The renderer reaches main's code only through two modules: the contract for types (erased, so none of
 * main's runtime comes along) and ipc/shared for the pure code both sides run. Everything ipc/shared
 * reaches is bundled into the renderer, so none of it may need Node or Electron.
 */
const root = resolve(import.meta.dirname, '../..');
const CONTRACT = 'src-main/ipc/contract';
const SHARED = 'src-main/ipc/shared';
/** Packages main's shared code may bring into the renderer bundle. */
const BROWSER_SAFE_PACKAGES = new Set(['zod']);

interface ModuleRef {
  specifier: string;
  line: number;
  /** Erased when compiled: `import type`, `export type`, `import('…').T` in a type. */
  typeOnly: boolean;
}

/** Every module a TypeScript source names, with its 1-based line (offset by `firstLine` for a Svelte script). */
function moduleRefs(text: string, firstLine = 1): ModuleRef[] {
  const source = ts.createSourceFile('file.ts', text, ts.ScriptTarget.Latest, true);
  const refs: ModuleRef[] = [];
  const add = (literal: ts.Node, typeOnly: boolean) => {
    if (!ts.isStringLiteralLike(literal)) return;
    refs.push({ specifier: literal.text, line: source.getLineAndCharacterOfPosition(literal.getStart()).line + firstLine, typeOnly });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) add(node.moduleSpecifier, node.importClause?.isTypeOnly ?? false);
    else if (ts.isExportDeclaration(node) && node.moduleSpecifier) add(node.moduleSpecifier, node.isTypeOnly);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node.moduleReference.expression, node.isTypeOnly);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal, true);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0]) add(node.arguments[0], false);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return refs;
}

/** A Svelte component's `<script>` blocks, each with the line it starts on. */
function scripts(file: string, text: string): { code: string; firstLine: number }[] {
  if (!file.endsWith('.svelte')) return [{ code: text, firstLine: 1 }];
  return [...text.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((match) => ({
    code: match[1],
    firstLine: text.slice(0, match.index + match[0].indexOf('>') + 1).split('\n').length,
  }));
}

/** Why each import of `file` (repo-relative) that reaches into src-main/ breaks the boundary, as `file:line: …`. */
export function boundaryViolations(file: string, text: string): string[] {
  const problems: string[] = [];
  for (const { code, firstLine } of scripts(file, text)) {
    for (const { specifier, line, typeOnly } of moduleRefs(code, firstLine)) {
      if (!specifier.startsWith('.') && !specifier.startsWith('/')) continue;
      const target = relative(root, resolve(root, dirname(file), specifier)).replace(/\.(ts|js)$/, '');
      if (target !== 'src-main' && !target.startsWith('src-main/')) continue;
      const at = `${file}:${line}: '${specifier}'`;
      if (target === CONTRACT && !typeOnly) problems.push(`${at} takes values from the contract; write \`import type\` (values come from ${SHARED})`);
      else if (target === SHARED && typeOnly) problems.push(`${at} takes types from ${SHARED}; import them from ${CONTRACT}`);
      else if (target !== CONTRACT && target !== SHARED) problems.push(`${at} reaches into main; re-export it from ${CONTRACT} (types) or ${SHARED} (values)`);
    }
  }
  return problems;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return sourceFiles(path);
    return /\.(ts|svelte)$/.test(name) ? [path] : [];
  });
}

/** The modules `entry` loads at run time, transitively, and each package or builtin it asks for, with the chain that reaches it. */
function runtimeGraph(entry: string): { modules: string[]; packages: { name: string; via: string[] }[] } {
  const seen = new Map<string, string[]>([[entry, [entry]]]);
  const packages: { name: string; via: string[] }[] = [];
  const queue = [entry];
  for (let module = queue.shift(); module !== undefined; module = queue.shift()) {
    for (const { specifier, typeOnly } of moduleRefs(readFileSync(join(root, module), 'utf8'))) {
      if (typeOnly) continue;
      if (!specifier.startsWith('.')) {
        packages.push({ name: specifier, via: seen.get(module)! });
        continue;
      }
      const base = relative(root, resolve(root, dirname(module), specifier));
      const next = [`${base}.ts`, join(base, 'index.ts'), base].find((path) => statSync(join(root, path), { throwIfNoEntry: false })?.isFile());
      if (!next) throw new Error(`${module} imports ${specifier}, which is not a file here`);
      if (seen.has(next)) continue;
      seen.set(next, [...seen.get(module)!, next]);
      queue.push(next);
    }
  }
  return { modules: [...seen.keys()], packages };
}

const nodeOnly = (name: string) => name.startsWith('node:') || builtinModules.includes(name.split('/')[0]) || !BROWSER_SAFE_PACKAGES.has(name.split('/')[0]);

describe('the renderer and main’s code', () => {
  it('imports from src-main/ only types from the contract and values from ipc/shared', () => {
    const files = sourceFiles('src-renderer/src');
    expect(files.length).toBeGreaterThan(50);
    expect(files.flatMap((file) => boundaryViolations(file, readFileSync(join(root, file), 'utf8')))).toEqual([]);
  });

  it('names the file and line of each import that crosses the boundary another way', () => {
    const component = [
      '<script module lang="ts">',
      "  import type { ManagedKey } from '../../../src-main/ipc/contract';",
      '</script>',
      '',
      '<script lang="ts">',
      "  import { channels } from '../../../src-main/ipc/contract';",
      "  import type { ErrorInfo } from '../../../src-main/core/errors';",
      "  import type { CredentialSummary } from '../../../src-main/ipc/channels/credentials';",
      "  import type { CallGuard } from '../../../src-main/ipc/shared';",
      "  import { readEndpoint } from '../../../src-main/ipc/shared';",
      "  import { errorInfo } from '../lib/api';",
      "  let health: import('../../../src-main/core/vault/metadata-store').CredentialHealth;",
      "  const later = () => import('../../../src-main/core/s3/endpoint-presets');",
      '</script>',
    ].join('\n');
    const problems = boundaryViolations('src-renderer/src/components/X.svelte', component);
    expect(problems.map((problem) => problem.split(': ')[0])).toEqual([6, 7, 8, 9, 12, 13].map((line) => `src-renderer/src/components/X.svelte:${line}`));
    expect(problems[0]).toContain('write `import type`');
    expect(problems[1]).toContain("'../../../src-main/core/errors' reaches into main; re-export it from src-main/ipc/contract");
    expect(problems[3]).toContain('import them from src-main/ipc/contract');
    expect(boundaryViolations('src-renderer/src/lib/x.ts', "export { keyAge } from '../../../src-main/core/rotation/policy';\n")).toHaveLength(1);
  });

  it('bundles from main only code that runs in a browser: nothing ipc/shared reaches needs Node or Electron', () => {
    const { modules, packages } = runtimeGraph(`${SHARED}.ts`);
    expect(modules).toContain('src-main/core/s3/endpoint-presets.ts');
    expect(packages.filter(({ name }) => nodeOnly(name)).map(({ name, via }) => `${via.join(' → ')} imports ${name}`)).toEqual([]);
    expect(['node:fs', 'path', 'electron', 'keytar', 'zod'].filter(nodeOnly)).toEqual(['node:fs', 'path', 'electron', 'keytar']);
  });
});
