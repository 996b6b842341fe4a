import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import type { Plugin } from 'vite';

/**
 * pdf.js's data files under pdfjs/ in the renderer, so the PDF preview fetches them from the app's own
 * origin: character maps and standard fonts (with their licences) for PDFs that do not embed theirs, and
 * the JavaScript decoders for JPEG 2000 and JBIG2 images (not their WebAssembly: see src/lib/pdf.ts).
 */
function pdfjsAssets(): Plugin {
  const root = resolve('node_modules/pdfjs-dist');
  const files = () => [
    ...['cmaps', 'standard_fonts'].flatMap((dir) => readdirSync(join(root, dir)).map((name) => `${dir}/${name}`)),
    'wasm/openjpeg_nowasm_fallback.js',
    'wasm/jbig2_nowasm_fallback.js',
    'wasm/LICENSE_OPENJPEG',
    'wasm/LICENSE_PDFJS_OPENJPEG',
    'wasm/LICENSE_JBIG2',
    'wasm/LICENSE_PDFJS_JBIG2',
  ];
  return {
    name: 'keydesk-pdfjs-assets',
    generateBundle() {
      for (const file of files()) this.emitFile({ type: 'asset', fileName: `pdfjs/${file}`, source: readFileSync(join(root, file)) });
    },
    configureServer(server) {
      server.middlewares.use('/pdfjs/', (request, response, next) => {
        const file = files().find((name) => `/${name}` === request.url?.split('?')[0]);
        if (!file) return next();
        response.setHeader('Content-Type', file.endsWith('.js') ? 'text/javascript' : 'application/octet-stream');
        response.end(readFileSync(join(root, file)));
      });
    },
  };
}

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        // `web` is browser mode: the same services under plain Node, bridged over a WebSocket.
        input: {
          index: resolve('src-main/shell/main.ts'),
          web: resolve('src-main/web/main.ts'),
          // `node out/main/cli.js credential-process --profile NAME`: AWS credential_process from the keychain.
          cli: resolve('src-main/cli/main.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload cannot load ES modules or node_modules: one self-contained CommonJS file.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('src-main/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
    },
  },
  renderer: {
    root: 'src-renderer',
    plugins: [svelte(), pdfjsAssets()],
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: resolve('src-renderer/index.html') } },
    },
  },
});
