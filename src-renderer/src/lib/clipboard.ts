import { api, ApiError } from './api';

const CLEAR_SECRET_AFTER_MS = 30_000;

/** Copies text. Rejects with a sentence the UI can show when the clipboard is unavailable or refused. */
export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    throw new Error('Copying was refused by the system. Select the text and copy it by hand.');
  }
}

/**
 * Copies a secret and clears it from the clipboard after 30 s, unless something else was copied since.
 * The desktop app does this in main, which can read the clipboard; browser mode does it in the page.
 */
export async function copySecret(secret: string): Promise<void> {
  try {
    await api.clipboard.copySecret({ secret });
    return;
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 'UNSUPPORTED')) throw error;
  }
  await copyText(secret);
  setTimeout(() => void clearIfHolds(secret), CLEAR_SECRET_AFTER_MS);
}

async function clearIfHolds(secret: string): Promise<void> {
  if (!(await stillHolds(secret))) return;
  try {
    await navigator.clipboard.writeText('');
  } catch {
    // Chromium refuses clipboard writes while the window is unfocused: clear when the user comes back.
    window.addEventListener('focus', () => void clearIfHolds(secret), { once: true });
  }
}

/**
 * Reading the clipboard needs a permission the page may not have; where it cannot be checked, the secret
 * is cleared anyway — leaving it there is the worse outcome.
 */
async function stillHolds(secret: string): Promise<boolean> {
  try {
    const state = await navigator.permissions.query({ name: 'clipboard-read' as PermissionName });
    if (state.state !== 'granted') return true;
    return (await navigator.clipboard.readText()) === secret;
  } catch {
    return true;
  }
}
