import { KeydeskError } from './errors';

/** The one gate for links leaving the app: only well-formed https: URLs pass. */
export function httpsOnly(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new KeydeskError({ code: 'INVALID_INPUT', message: 'That link is not a valid URL.' });
  }
  if (parsed.protocol !== 'https:') throw new KeydeskError({ code: 'INVALID_INPUT', message: 'Only https: links can be opened.' });
  return parsed.href;
}
