// Which Node.js runs Keydesk outside Electron: browser mode, the CLI, and the npm scripts that build them.
// Every such entry checks first and loads the rest only afterwards, because on an older Node the rest fails
// with errors that do not say what is wrong (import.meta.dirname undefined, a missing export of a built-in
// module, a build tool's syntax). Plain JavaScript in syntax Node 14 parses: the npm scripts run it before
// anything is installed or built. package.json's engines.node states the same range.

/** Why Node `version` (process.versions.node) cannot run Keydesk, in one line; undefined when it can. */
export function nodeVersionProblem(version) {
  const [major, minor] = version.split('.').map(Number);
  // Vite and rolldown, which build browser mode, need 20.19+ in the 20 line and 22.12+ after it.
  const supported = (major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major > 22;
  if (supported) return undefined;
  return (
    `Keydesk needs Node.js 20.19+ or 22.12+ (this is ${version}): ` +
    'install the current LTS from https://nodejs.org/en/download or with your version manager (`nvm install --lts`), then run this again.'
  );
}

/** On an unsupported Node: says why on stderr and ends the process with exit code 1. */
export function exitUnlessSupportedNode() {
  const problem = nodeVersionProblem(process.versions.node);
  if (problem === undefined) return;
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}
