import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { Locator, Page } from '@playwright/test';
import { BAND, pdfFile } from '../helpers/pdf-file';
import { createRgwUser } from '../helpers/rgw-users';
import { addCredential, objectAction, openBucket, row, s3For } from './browse-helpers';
import { expect, snapSizes, test } from './fixtures';

/** Everything the page reports that a preview must never cause: CSP refusals, errors, dialogs, popups. */
function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || /Content Security Policy|Refused to/i.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('popup', (popup) => problems.push(`popup: ${popup.url()}`));
  return problems;
}

/** The colour at a point of the page, in PDF points from the bottom left, as the canvas shows it. */
function colorAt(canvas: Locator, x: number, y: number): Promise<number[]> {
  return canvas.evaluate(
    (element: HTMLCanvasElement, [px, py]) => Array.from(element.getContext('2d')!.getImageData(Math.floor(px * element.width), Math.floor(py * element.height), 1, 1).data.slice(0, 3)),
    [x / BAND.pageWidth, 1 - y / BAND.pageHeight],
  );
}

/** Dark pixels (text) in a box of the page, in PDF points. */
function darkPixels(canvas: Locator, box: { x: number; y: number; width: number; height: number }): Promise<number> {
  return canvas.evaluate(
    (element: HTMLCanvasElement, [left, top, width, height]) => {
      const data = element.getContext('2d')!.getImageData(Math.floor(left * element.width), Math.floor(top * element.height), Math.ceil(width * element.width), Math.ceil(height * element.height)).data;
      let dark = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i] < 90 && data[i + 1] < 90 && data[i + 2] < 90) dark++;
      return dark;
    },
    [box.x / BAND.pageWidth, 1 - (box.y + box.height) / BAND.pageHeight, box.width / BAND.pageWidth, box.height / BAND.pageHeight],
  );
}

test('PDF preview: pages drawn by pdf.js in its worker, the document\'s script never runs, links are inert, passwords asked for', async ({ page, rgw, snap }) => {
  test.setTimeout(120_000);
  const user = await createRgwUser(rgw, 'pdf');
  const s3 = s3For(rgw, user);
  const bucket = `${user.uid}-pdf`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const script = "window.__pdfScriptRan = true; document.title = 'pdf script ran'; app.alert('pdf script ran');";
  const manual = pdfFile(
    [
      { text: 'Page one of the manual', color: [0.1, 0.3, 0.85], link: 'https://example.com/from-the-pdf' },
      { text: 'Page two', color: [0.85, 0.1, 0.1] },
    ],
    { openActionJs: script },
  );
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'docs/manual.pdf', Body: manual, ContentType: 'application/pdf' }));
  // Declared as anything: the bytes make it a PDF.
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'docs/locked', Body: pdfFile([{ text: 'Secret page', color: [0.1, 0.6, 0.2] }], { userPassword: 'open sesame' }), ContentType: 'application/octet-stream' }));
  const problems = watchProblems(page);
  await addCredential(page, rgw, user);
  await openBucket(page, bucket);
  await page.evaluate(() => document.addEventListener('securitypolicyviolation', (e) => ((window as { cspViolations?: string[] }).cspViolations ??= []).push(`${e.violatedDirective} ${e.blockedURI}`)));
  await row(page, 'docs/').dblclick();

  const workerAnswer = page.waitForResponse(/pdf\.worker[^/]*\.mjs$/);
  await row(page, 'manual.pdf').click();
  await objectAction(page, 'Preview');
  const dialog = page.getByRole('dialog', { name: 'Preview of manual.pdf' });
  await expect(dialog.getByRole('region', { name: 'Page 1 of 2 of manual.pdf' })).toBeVisible();
  const canvas = dialog.locator('canvas');

  // pdf.js runs in a module worker served by Keydesk with a JavaScript type (not on the page's thread).
  expect((await workerAnswer).headers()['content-type']).toMatch(/^text\/javascript/);
  expect(page.workers().map((w) => w.url())).toEqual(expect.arrayContaining([expect.stringMatching(/pdf\.worker[^/]*\.mjs$/)]));

  // Page 1 drawn: the blue band where the PDF puts it, and its text (a standard font) in black.
  const bandCentre = [BAND.x + BAND.width / 2, BAND.y + BAND.height / 2] as const;
  await expect.poll(async () => { const [r, , b] = await colorAt(canvas, ...bandCentre); return b > 150 && r < 80; }).toBe(true);
  expect(await darkPixels(canvas, { x: BAND.x, y: BAND.y - 66, width: 300, height: 34 })).toBeGreaterThan(200);
  expect(await colorAt(canvas, 20, 20)).toEqual([255, 255, 255]);
  await snapSizes(page, snap, 'preview-pdf');

  // Links on the page are pixels: a click on the linked band opens nothing and goes nowhere.
  const before = page.url();
  const box = (await canvas.boundingBox())!;
  await page.mouse.click(box.x + box.width / 2, box.y + box.height * (1 - bandCentre[1] / BAND.pageHeight));
  await page.waitForTimeout(500);
  expect(page.url()).toBe(before);

  // Pages and zoom.
  await dialog.getByRole('button', { name: 'Next' }).click();
  await expect(dialog.getByRole('region', { name: 'Page 2 of 2 of manual.pdf' })).toBeVisible();
  await expect.poll(async () => { const [r, , b] = await colorAt(canvas, ...bandCentre); return r > 150 && b < 80; }).toBe(true);
  await expect(dialog.getByRole('button', { name: 'Next' })).toBeDisabled();
  const widthAt = async () => (await canvas.boundingBox())!.width;
  const fitted = await widthAt();
  await dialog.getByRole('button', { name: 'Zoom in' }).click();
  await expect.poll(widthAt).toBeGreaterThan(fitted);
  await dialog.getByLabel('Zoom', { exact: true }).selectOption('0.5');
  await expect.poll(widthAt).toBeCloseTo(BAND.pageWidth * 0.5, -1);
  await dialog.getByLabel('Page', { exact: true }).fill('1');
  await dialog.getByLabel('Page', { exact: true }).press('Enter');
  await expect(dialog.getByRole('region', { name: 'Page 1 of 2 of manual.pdf' })).toBeVisible();
  await dialog.getByRole('region', { name: 'Page 1 of 2 of manual.pdf' }).press('PageDown');
  await expect(dialog.getByRole('region', { name: 'Page 2 of 2 of manual.pdf' })).toBeVisible();

  // The document's OpenAction script never ran, and nothing was refused by the CSP or went wrong.
  expect(await page.evaluate(() => (window as { __pdfScriptRan?: boolean }).__pdfScriptRan)).toBeUndefined();
  expect(await page.title()).toBe('Keydesk');
  expect(await page.evaluate(() => (window as { cspViolations?: string[] }).cspViolations ?? [])).toEqual([]);
  expect(problems).toEqual([]);
  await dialog.getByRole('button', { name: 'Close' }).click();

  // A PDF with a password: asked for, a wrong one said so, the right one opens it.
  await row(page, 'locked').click();
  await objectAction(page, 'Preview');
  const locked = page.getByRole('dialog', { name: 'Preview of locked' });
  await expect(locked).toContainText('This PDF is protected by a password.');
  await locked.getByLabel('Password').fill('wrong');
  await locked.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(locked.getByRole('alert')).toHaveText('That password is not right; try again.');
  await snapSizes(page, snap, 'preview-pdf-password');
  await locked.getByLabel('Password').fill('open sesame');
  await locked.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(locked.getByRole('region', { name: 'Page 1 of 1 of locked' })).toBeVisible();
  await expect.poll(async () => { const [r, g, b] = await colorAt(locked.locator('canvas'), ...bandCentre); return g > 120 && r < 80 && b < 80; }).toBe(true);
  expect(problems).toEqual([]);
});
