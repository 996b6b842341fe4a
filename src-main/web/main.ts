import { exitUnlessSupportedNode } from '../core/node-version.mjs';

// `node out/main/web.js` (`npm run web`). Browser mode loads only after the Node check: on an older Node its
// modules fail with errors that say nothing useful.
exitUnlessSupportedNode();
const { runBrowserMode } = await import('./server');
await runBrowserMode(__dirname);
