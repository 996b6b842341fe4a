import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeVersionProblem } from '../../src-main/core/node-version.mjs';

describe('the Node.js versions browser mode, the CLI and the npm scripts accept', () => {
  it('states in package.json the range the check applies', () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe('^20.19.0 || >=22.12.0');
  });

  it.each(['20.19.0', '20.19.5', '20.20.2', '22.12.0', '22.23.3', '23.0.0', '24.3.0', '26.10.0', '30.0.0-pre'])('accepts %s', (version) => {
    expect(nodeVersionProblem(version)).toBeUndefined();
  });

  // The build tools need 20.19 in the 20 line and 22.12 after it, so 21.x and early 22.x are refused too.
  it.each(['0.10.48', '12.22.12', '16.20.2', '18.20.8', '19.9.0', '20.0.0', '20.18.3', '21.0.0', '21.7.3', '22.0.0', '22.11.0'])(
    'refuses %s in one line that names it and says how to get a newer Node',
    (version) => {
      const problem = nodeVersionProblem(version);
      expect(problem).toBe(
        `Keydesk needs Node.js 20.19+ or 22.12+ (this is ${version}): install the current LTS from https://nodejs.org/en/download ` +
          'or with your version manager (`nvm install --lts`), then run this again.',
      );
      expect(problem).not.toContain('\n');
    },
  );
});
