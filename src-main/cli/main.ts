import { runCli } from './keydesk';

// `node out/main/cli.js …`. A separate entry: the desktop app's main bundle shares runCli, so the bundler
// moves it into a chunk where an "am I the script being run?" check on import.meta.url never matches.
process.exitCode = await runCli(process.argv.slice(2));
