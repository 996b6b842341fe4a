import type { ErrorInfo } from '../../../src-main/ipc/contract';
import { openPdf, type OpenedPdf } from '../lib/pdf';

/** Zoom steps (CSS pixels per PDF point: 1 = the page's printed size at 96 dpi × 0.75). */
export const ZOOM_STEPS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3, 4];

/** One PDF in the preview: its pages, the page shown, the zoom, and a password when it needs one. */
export class PdfViewer {
  pageCount = $state(0);
  page = $state(1);
  /** 'fit': as wide as the viewer. */
  zoom = $state<number | 'fit'>('fit');
  /** The scale the page was last drawn at, for the zoom label and for stepping from "fit". */
  scale = $state(1);
  error = $state<ErrorInfo>();
  /** Set while the document waits for a password. */
  password = $state<{ incorrect: boolean }>();
  private pdf?: OpenedPdf;
  private answer?: (password: string | undefined) => void;
  private closed = false;

  get ready(): boolean {
    return this.pageCount > 0;
  }

  async open(data: Uint8Array): Promise<void> {
    try {
      const pdf = await openPdf(data, (incorrect) => {
        this.password = { incorrect };
        return new Promise((resolve) => (this.answer = resolve));
      });
      if (this.closed) return void pdf.close();
      this.pdf = pdf;
      this.pageCount = pdf.document.numPages;
    } catch (error) {
      if (!this.closed) this.error = { code: 'INVALID_INPUT', message: (error as Error).message };
    }
  }

  /** Answers the password prompt; undefined gives up on the document. */
  submitPassword(password: string | undefined): void {
    this.password = undefined;
    this.answer?.(password);
    this.answer = undefined;
  }

  go(page: number): void {
    if (Number.isInteger(page)) this.page = Math.min(Math.max(1, page), Math.max(1, this.pageCount));
  }

  zoomIn(): void {
    this.zoom = ZOOM_STEPS.find((step) => step > this.scale + 0.001) ?? ZOOM_STEPS[ZOOM_STEPS.length - 1];
  }

  zoomOut(): void {
    this.zoom = [...ZOOM_STEPS].reverse().find((step) => step < this.scale - 0.001) ?? ZOOM_STEPS[0];
  }

  /** Draws the current page on `canvas` (`width`: the room the viewer has, for "fit"). */
  async draw(canvas: HTMLCanvasElement, width: number): Promise<void> {
    if (!this.pdf) return;
    try {
      const scale = await this.pdf.render(this.page, canvas, this.zoom === 'fit' ? { fitWidth: width } : this.zoom);
      if (scale !== undefined) this.scale = scale;
    } catch (error) {
      if (!this.closed) this.error = { code: 'INVALID_INPUT', message: `Page ${this.page} could not be drawn (${(error as Error).message}).` };
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.answer?.(undefined);
    await this.pdf?.close();
  }
}
