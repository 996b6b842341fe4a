import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Where the renderer is loaded from: the dev server under `electron-vite dev`, the built file otherwise. */
export interface RendererLocation {
  url: string;
  isAppUrl(url: string): boolean;
}

export function rendererLocation(devServerUrl: string | undefined, rendererDir: string): RendererLocation {
  if (devServerUrl) {
    const origin = new URL(devServerUrl).origin;
    return { url: devServerUrl, isAppUrl: (url) => safeOrigin(url) === origin };
  }
  const indexUrl = pathToFileURL(join(rendererDir, 'index.html')).href;
  // file: URLs have no origin; only the app's own index.html (any #route) counts as the app.
  return { url: indexUrl, isAppUrl: (url) => url.split('#')[0] === indexUrl };
}

function safeOrigin(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
