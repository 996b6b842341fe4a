import { exitUnlessSupportedNode } from '../core/node-version.mjs';

// `node out/main/cli.js …`. A separate entry: the desktop app's main bundle shares runCli, so the bundler
// moves it into a chunk where an "am I the script being run?" check on import.meta.url never matches.
// The CLI loads only after the Node check: on an older Node its modules fail with errors that say nothing useful.
exitUnlessSupportedNode();
const { runCli } = await import('./keydesk');
process.exitCode = await runCli(process.argv.slice(2));
