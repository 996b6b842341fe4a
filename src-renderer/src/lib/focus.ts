/**
 * Where keyboard focus goes when what held it disappears: back to the control that opened a dialog, or to
 * the screen's heading, never to <body> (where a screen reader user would have to start over).
 */

/** The opener of the dialog that closed last, for a dialog that replaces it at once (confirm → result). */
let lastOpener: HTMLElement | undefined;

function usable(element: Element | null | undefined): element is HTMLElement {
  return element instanceof HTMLElement && element !== document.body && element.isConnected && !element.closest('[inert]') && !(element as HTMLButtonElement).disabled;
}

/** The element focus returns to when a dialog opened now closes. */
export function takeOpener(): HTMLElement | undefined {
  // A control (also one inside a dialog that opens another); else the opener of a dialog this one replaces.
  const active = document.activeElement;
  return usable(active) ? active : lastOpener;
}

/** After a dialog closed: its opener when it is still there, else the screen's heading. */
export function returnFocus(opener: HTMLElement | undefined): void {
  lastOpener = opener;
  queueMicrotask(() => {
    lastOpener = undefined;
    // Another dialog opened in its place: it has focus, and has taken the opener over.
    if (document.querySelector('dialog[open]')) return;
    if (usable(opener) && opener.getClientRects().length > 0) opener.focus();
    else focusScreen();
  });
}

/** The current screen's heading (or the main region): after a screen change, or when the opener is gone. */
export function focusScreen(): void {
  const main = document.getElementById('main');
  const heading = main?.querySelector<HTMLElement>('h1');
  const target = heading ?? main;
  if (!target) return;
  if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
  target.focus({ preventScroll: false });
}

/**
 * A focused control that disappears (its row was removed, a screen replaced it) would leave focus on
 * <body>: it goes to the screen's heading instead. Returns the stop function.
 */
export function keepFocusOffBody(root: HTMLElement): () => void {
  let last: Element | null = null;
  const remember = (event: FocusEvent) => (last = event.target as Element);
  const observer = new MutationObserver(() => {
    if (document.activeElement !== document.body || !last || last.isConnected || document.querySelector('dialog[open]')) return;
    last = null;
    focusScreen();
  });
  document.addEventListener('focusin', remember);
  observer.observe(root, { childList: true, subtree: true });
  return () => {
    document.removeEventListener('focusin', remember);
    observer.disconnect();
  };
}
