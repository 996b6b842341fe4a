import type { Session, WebContents } from 'electron';

/** Applied to every page Keydesk shows; the renderer's index.html carries the same policy as a meta tag. */
/** worker-src: pdf.js's worker, from the app's own files (no blob: workers, no 'unsafe-eval', no wasm). */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; worker-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; object-src 'none'; frame-ancestors 'none'";

const ALLOWED_PERMISSIONS = new Set<string>(['clipboard-sanitized-write']);

export function applySessionPolicy(session: Session): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  // Copy buttons need clipboard writes; Keydesk needs no camera, notifications, clipboard-read, etc.
  session.setPermissionRequestHandler((_webContents, permission, callback) => callback(ALLOWED_PERMISSIONS.has(permission)));
  session.setPermissionCheckHandler((_webContents, permission) => ALLOWED_PERMISSIONS.has(permission));
}

/** No popups, no navigation away from the app, no webviews; links leave only through openExternal. */
export function lockDownContents(contents: WebContents, isAppUrl: (url: string) => boolean): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
