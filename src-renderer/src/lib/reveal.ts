/**
 * Brings a message that just appeared into view: a save's outcome shown below the fold of a tall
 * dialog would otherwise go unseen. Empty containers are left alone.
 */
export function reveal(node: HTMLElement): void {
  if (node.textContent?.trim()) node.scrollIntoView({ block: 'nearest' });
}
