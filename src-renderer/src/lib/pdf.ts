import type { PDFDocumentProxy, PDFWorker } from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/legacy/build/pdf.worker.min.mjs?url';

/*
 * Mozilla's pdf.js, loaded only when a PDF is previewed (its own chunk), configured so a document can do
 * nothing but be drawn: no scripting (the scripting sandbox is never loaded), no XFA forms, no
 * annotation or link layer (pages are pixels on a <canvas>, so links are inert), and every file it needs
 * (its worker, character maps, standard fonts, image decoders) from the app's own origin, which is all
 * the CSP allows. pdf.js 6 has no eval path left (the build holds no eval or new Function; the CSP has
 * no 'unsafe-eval' either). The legacy build carries polyfills for the Chromium of Electron 45.
 * WebAssembly is off (useWasm: false): JPEG 2000 and JBIG2 images use pdf.js's JavaScript decoders and
 * colours use the document's alternate colour spaces, so the CSP needs no 'wasm-unsafe-eval'.
 */

export interface OpenedPdf {
  document: PDFDocumentProxy;
  /**
   * Draws a page at `zoom` (CSS pixels per PDF point, or as wide as `fitWidth`) and returns the scale
   * used, or undefined when a newer call for the same canvas overtook it (that one is drawn instead).
   */
  render: (pageNumber: number, canvas: HTMLCanvasElement, zoom: number | { fitWidth: number }) => Promise<number | undefined>;
  close: () => Promise<void>;
}

/** A canvas is kept below this many pixels (64 MiB of RGBA), whatever the zoom and screen density. */
const MAX_CANVAS_PIXELS = 16 * 1024 * 1024;

/** Asked for a password (again, when `incorrect`); undefined gives up. */
export type PasswordPrompt = (incorrect: boolean) => Promise<string | undefined>;

const assets = (folder: string) => new URL(`pdfjs/${folder}/`, document.baseURI).href;

/** Opens `data` (handed over to the worker: the caller's buffer is emptied). */
export async function openPdf(data: Uint8Array, askPassword: PasswordPrompt): Promise<OpenedPdf> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const { worker, port } = await startWorker(pdfjs);
  const task = pdfjs.getDocument({
    data,
    worker,
    enableXfa: false,
    useWasm: false,
    // Fonts a PDF does not embed come from the shipped metric-compatible ones (Liberation, Foxit), not
    // from whatever the system has under that name, so text is spaced as the document meant it.
    useSystemFonts: false,
    cMapUrl: assets('cmaps'),
    cMapPacked: true,
    standardFontDataUrl: assets('standard_fonts'),
    wasmUrl: assets('wasm'),
    verbosity: pdfjs.VerbosityLevel.ERRORS,
  });
  let declined = false;
  task.onPassword = (update: (password: string) => void, reason: number) => {
    void askPassword(reason === pdfjs.PasswordResponses.INCORRECT_PASSWORD).then((password) => {
      if (password !== undefined) return update(password);
      declined = true;
      void task.destroy();
    });
  };
  const close = async () => {
    await task.destroy().catch(() => undefined);
    worker.destroy();
    port?.terminate();
  };
  try {
    const document = await task.promise;
    return { document, close, render: (pageNumber, canvas, zoom) => renderPage(pdfjs, document, pageNumber, canvas, zoom) };
  } catch (error) {
    await close();
    throw describe(declined ? { name: 'PasswordException' } : error);
  }
}

/**
 * pdf.js's worker as a module worker from the app's own origin (worker-src 'self'). Where none can start
 * (a file: page, whose origin Chromium treats as opaque), pdf.js runs on the page's thread instead, with
 * the same file loaded as a module (script-src 'self'), never through the blob: URL pdf.js would use.
 */
async function startWorker(pdfjs: typeof import('pdfjs-dist')): Promise<{ worker: PDFWorker; port?: Worker }> {
  const url = new URL(workerUrl, document.baseURI).href;
  const port = await moduleWorker(url);
  if (port) return { worker: new pdfjs.PDFWorker({ port: port as never }), port };
  const global = globalThis as { pdfjsWorker?: unknown };
  global.pdfjsWorker ??= await import(/* @vite-ignore */ url);
  return { worker: new pdfjs.PDFWorker() };
}

/** A worker that has started (pdf.js's worker says "ready" first), or undefined when it cannot. */
function moduleWorker(url: string): Promise<Worker | undefined> {
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(url, { type: 'module', name: 'pdf.js' });
    } catch {
      return resolve(undefined);
    }
    const settle = (started: boolean) => {
      clearTimeout(timer);
      worker.onmessage = worker.onerror = null;
      if (!started) worker.terminate();
      resolve(started ? worker : undefined);
    };
    const timer = setTimeout(() => settle(false), 15_000);
    worker.onmessage = () => settle(true);
    worker.onerror = () => settle(false);
  });
}

/** Per canvas: the draw in progress (to cancel), the queue of draws, and the number of the latest request. */
const canvases = new WeakMap<HTMLCanvasElement, { latest: number; queue: Promise<unknown>; cancel?: () => void }>();

/** Draws one request at a time per canvas; a request overtaken by a newer one is skipped (undefined). */
function renderPage(pdfjs: typeof import('pdfjs-dist'), document: PDFDocumentProxy, pageNumber: number, canvas: HTMLCanvasElement, zoom: number | { fitWidth: number }): Promise<number | undefined> {
  const state = canvases.get(canvas) ?? { latest: 0, queue: Promise.resolve() };
  canvases.set(canvas, state);
  const mine = ++state.latest;
  state.cancel?.();
  const draw = async (): Promise<number | undefined> => {
    if (state.latest !== mine) return undefined;
    const page = await document.getPage(pageNumber);
    const scale = typeof zoom === 'number' ? zoom : Math.max(0.1, zoom.fitWidth / page.getViewport({ scale: 1 }).width);
    const css = page.getViewport({ scale });
    const density = Math.min(window.devicePixelRatio || 1, Math.sqrt(MAX_CANVAS_PIXELS / Math.max(1, css.width * css.height)));
    const viewport = page.getViewport({ scale: scale * density });
    canvas.width = Math.max(1, Math.floor(viewport.width));
    canvas.height = Math.max(1, Math.floor(viewport.height));
    canvas.style.width = `${Math.floor(css.width)}px`;
    canvas.style.height = `${Math.floor(css.height)}px`;
    // Annotations are drawn as their appearance only: no form fields, no clickable links.
    const task = page.render({ canvas, viewport, annotationMode: pdfjs.AnnotationMode.ENABLE });
    state.cancel = () => task.cancel();
    try {
      await task.promise;
      return scale;
    } catch (error) {
      if ((error as { name?: string })?.name === 'RenderingCancelledException') return undefined;
      throw error;
    } finally {
      state.cancel = undefined;
    }
  };
  const turn = state.queue.then(draw, draw);
  state.queue = turn.catch(() => undefined);
  return turn;
}

/** A sentence for people instead of pdf.js's exception. */
function describe(error: unknown): Error {
  const name = (error as { name?: string })?.name;
  if (name === 'PasswordException') return new Error('The PDF is protected by a password, and none was given. Open the preview again to enter it, or download the file.');
  if (name === 'InvalidPDFException') return new Error('This PDF cannot be read: the file is damaged or is not a PDF. Download it to check.');
  return new Error(`The PDF could not be opened (${(error as Error)?.message ?? String(error)}). Download it to open it with your PDF reader.`);
}
