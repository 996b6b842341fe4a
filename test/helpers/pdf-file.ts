import { createHash, randomBytes } from 'node:crypto';

/*
 * Small, valid PDFs written by hand for the preview tests: US Letter pages, each with a coloured band and
 * a line of Helvetica (not embedded, so the viewer needs its standard fonts), optionally a link over the
 * band, a JavaScript /OpenAction, and a user password (the standard security handler, revision 2: RC4
 * with a 40-bit key, which every reader still opens).
 */

export interface PdfPage {
  text: string;
  /** The band's colour, 0–1 per channel. */
  color: [number, number, number];
  /** A link annotation over the band. */
  link?: string;
}

export interface PdfOptions {
  /** JavaScript run when the document opens, in a reader that runs scripts. */
  openActionJs?: string;
  userPassword?: string;
}

/** Where each page's band lies, in points from the bottom left (for tests that sample pixels). */
export const BAND = { x: 72, y: 560, width: 468, height: 160, pageWidth: 612, pageHeight: 792 };

const literal = (text: string) => `(${text.replace(/[\\()]/g, (c) => `\\${c}`)})`;

export function pdfFile(pages: PdfPage[], options: PdfOptions = {}): Buffer {
  const id = randomBytes(16);
  const crypt = options.userPassword === undefined ? undefined : standardSecurity(options.userPassword, id);
  const objects: (string | { dict: string; stream: Buffer })[] = [];
  const add = (object: (typeof objects)[number]) => objects.push(object);
  const pageIds = pages.map((_, i) => 4 + i * 2);
  const jsId = 4 + pages.length * 2;
  add(`<< /Type /Catalog /Pages 2 0 R${options.openActionJs ? ` /OpenAction ${jsId} 0 R` : ''} >>`);
  add(`<< /Type /Pages /Kids [${pageIds.map((n) => `${n} 0 R`).join(' ')}] /Count ${pages.length} >>`);
  add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  pages.forEach((page, i) => {
    const { x, y, width, height } = BAND;
    const link = page.link ? ` /Annots [<< /Type /Annot /Subtype /Link /Border [0 0 0] /Rect [${x} ${y} ${x + width} ${y + height}] /A << /S /URI /URI ${literal(page.link)} >> >>]` : '';
    add(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${BAND.pageWidth} ${BAND.pageHeight}] /Resources << /Font << /F1 3 0 R >> >> /Contents ${pageIds[i] + 1} 0 R${link} >>`);
    const content = `${page.color.join(' ')} rg ${x} ${y} ${width} ${height} re f\nBT /F1 28 Tf 0 g ${x} ${y - 60} Td ${literal(page.text)} Tj ET\n`;
    add({ dict: '', stream: Buffer.from(content, 'latin1') });
  });
  if (options.openActionJs) add(`<< /Type /Action /S /JavaScript /JS ${literal(options.openActionJs)} >>`);
  if (crypt) add(crypt.dictionary);

  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  const offsets: number[] = [];
  let length = parts[0].length;
  objects.forEach((object, i) => {
    const number = i + 1;
    let body: Buffer;
    if (typeof object === 'string') body = Buffer.from(`${object}\n`, 'latin1');
    else {
      const data = crypt ? crypt.encrypt(number, object.stream) : object.stream;
      body = Buffer.concat([Buffer.from(`<< /Length ${data.length}${object.dict} >>\nstream\n`, 'latin1'), data, Buffer.from('\nendstream\n', 'latin1')]);
    }
    const chunk = Buffer.concat([Buffer.from(`${number} 0 obj\n`, 'latin1'), body, Buffer.from('endobj\n', 'latin1')]);
    offsets.push(length);
    parts.push(chunk);
    length += chunk.length;
  });
  const xref = `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  const trailer = `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /ID [<${id.toString('hex')}> <${id.toString('hex')}>]${crypt ? ` /Encrypt ${objects.length} 0 R` : ''} >>\nstartxref\n${length}\n%%EOF\n`;
  parts.push(Buffer.from(xref + trailer, 'latin1'));
  return Buffer.concat(parts);
}

const PADDING = Buffer.from('28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a', 'hex');
const md5 = (...parts: Buffer[]) => createHash('md5').update(Buffer.concat(parts)).digest();
const padded = (password: string) => Buffer.concat([Buffer.from(password, 'latin1'), PADDING]).subarray(0, 32);

/** RC4 (OpenSSL 3 leaves it out of its default provider). */
function rc4(key: Buffer, data: Buffer): Buffer {
  const s = Array.from({ length: 256 }, (_, i) => i);
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + s[i] + key[i % key.length]) & 255;
    [s[i], s[j]] = [s[j], s[i]];
  }
  const out = Buffer.alloc(data.length);
  for (let n = 0, i = 0, j = 0; n < data.length; n++) {
    i = (i + 1) & 255;
    j = (j + s[i]) & 255;
    [s[i], s[j]] = [s[j], s[i]];
    out[n] = data[n] ^ s[(s[i] + s[j]) & 255];
  }
  return out;
}

/** The standard security handler, revision 2 (PDF 1.7, 7.6.3), with the owner password equal to the user's. */
function standardSecurity(password: string, id: Buffer) {
  const permissions = Buffer.alloc(4);
  permissions.writeInt32LE(-4);
  const owner = rc4(md5(padded(password)).subarray(0, 5), padded(password));
  const key = md5(padded(password), owner, permissions, id).subarray(0, 5);
  const user = rc4(key, PADDING);
  return {
    dictionary: `<< /Filter /Standard /V 1 /R 2 /O <${owner.toString('hex')}> /U <${user.toString('hex')}> /P -4 >>`,
    encrypt: (object: number, data: Buffer) => rc4(md5(key, Buffer.from([object & 255, (object >> 8) & 255, (object >> 16) & 255, 0, 0])).subarray(0, 10), data),
  };
}
