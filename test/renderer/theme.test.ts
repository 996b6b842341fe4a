import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The theme's colours, read from styles.css, against WCAG: text 4.5:1 on the surfaces it is used on,
 * the focus ring and field borders 3:1 (1.4.11), in the light theme and in the dark one.
 */
const css = readFileSync(join(import.meta.dirname, '../../src-renderer/src/styles.css'), 'utf8');

function variables(block: string): Record<string, string> {
  return Object.fromEntries([...block.matchAll(/--([a-z-]+):\s*(#[0-9a-f]{6})\s*;/gi)].map((m) => [m[1], m[2]]));
}
const rootBlock = /:root\s*{([^}]*)}/.exec(css)![1];
const darkBlock = /@media \(prefers-color-scheme: dark\)\s*{\s*:root\s*{([^}]*)}/.exec(css)![1];
const light = variables(rootBlock);
const dark = { ...light, ...variables(darkBlock) };

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

const TEXT: [string, string[]][] = [
  ['text', ['bg', 'panel', 'panel-head', 'hover', 'accent-soft', 'selected', 'code-bg', 'field-bg']],
  ['muted', ['bg', 'panel', 'panel-head', 'hover', 'field-bg', 'accent-soft']],
  ['accent', ['bg', 'panel', 'panel-head', 'accent-soft']],
  ['accent-text', ['accent']],
  ['danger', ['bg', 'panel', 'error-bg']],
  ['danger-fill-text', ['danger-fill']],
  ['ok', ['bg', 'panel', 'ok-bg']],
  ['warn', ['bg', 'panel', 'warn-bg']],
  ['sidebar-text', ['sidebar', 'sidebar-hover', 'sidebar-current']],
  ['sidebar-strong', ['sidebar', 'sidebar-current']],
];
const NON_TEXT: [string, string[]][] = [
  ['focus', ['bg', 'panel', 'panel-head', 'field-bg', 'accent-soft', 'selected', 'hover', 'code-bg']],
  ['sidebar-focus', ['sidebar', 'sidebar-hover', 'sidebar-current']],
  ['field-line', ['bg', 'panel', 'field-bg']],
];

describe.each([
  ['light', light],
  ['dark', dark],
])('the %s theme', (_name, colours) => {
  it('defines every colour the checks name', () => {
    for (const [fg, bgs] of [...TEXT, ...NON_TEXT]) for (const name of [fg, ...bgs]) expect(colours[name], name).toMatch(/^#[0-9a-f]{6}$/i);
  });

  it.each(TEXT)('text in --%s is at least 4.5:1 on its surfaces', (fg, bgs) => {
    for (const bg of bgs) expect(contrast(colours[fg], colours[bg]), `${fg} on ${bg}`).toBeGreaterThanOrEqual(4.5);
  });

  it.each(NON_TEXT)('--%s is at least 3:1 against what it borders', (fg, bgs) => {
    for (const bg of bgs) expect(contrast(colours[fg], colours[bg]), `${fg} on ${bg}`).toBeGreaterThanOrEqual(3);
  });
});

describe('colours in one place', () => {
  it('uses no colour literals outside the theme variables (styles.css and components)', async () => {
    const { readdirSync } = await import('node:fs');
    const dir = join(import.meta.dirname, '../../src-renderer/src');
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.svelte') || f.endsWith('.css'));
    const offenders: string[] = [];
    for (const file of files) {
      let text = readFileSync(join(dir, file), 'utf8');
      if (file === 'styles.css') text = text.replace(rootBlock, '').replace(darkBlock, '');
      for (const match of text.matchAll(/#[0-9a-f]{3,8}\b(?![\w-])|rgba?\([^)]*\)/gi)) {
        // Shadows are translucent black in both themes.
        if (/^rgba\(0, 0, 0,/.test(match[0])) continue;
        offenders.push(`${file}: ${match[0]}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
