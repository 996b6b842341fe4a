/**
 * A Svelte action for data tables with a row of buttons per item (Credentials, Accounts, Keys):
 *
 * - every cell gets its column's header as `data-label`, which the narrow layout shows above the value
 *   when rows reflow into cards (see `.table.reflow` in styles.css);
 * - every button or link in a row is described by the row's name (`[data-row-label]`, else the first
 *   cell's first element), so "Delete", "Open" or "Check now" say which item they act on, while their
 *   accessible name stays the visible text. Controls with a name or description of their own keep it.
 *
 * Rows come and go (lists refresh, keys are created): a MutationObserver applies both again.
 */
export function readableTable(table: HTMLTableElement) {
  let nextId = 0;
  const apply = () => {
    observer.disconnect();
    const headers = [...table.querySelectorAll('thead th')].map((th) => th.textContent?.trim() ?? '');
    for (const row of table.querySelectorAll<HTMLTableRowElement>('tbody tr')) {
      let column = 0;
      for (const cell of row.cells) {
        const label = headers[column];
        if (label && cell.dataset.label !== label) cell.dataset.label = label;
        column += cell.colSpan;
      }
      const name = row.querySelector<HTMLElement>('[data-row-label]') ?? row.cells[0]?.firstElementChild;
      if (!(name instanceof HTMLElement)) continue;
      if (!name.id) name.id = `row-label-${tableId}-${nextId++}`;
      for (const control of row.querySelectorAll<HTMLElement>('button, a[href]')) {
        if (control === name || control.contains(name) || control.hasAttribute('aria-label') || control.hasAttribute('aria-labelledby')) continue;
        if (control.dataset.rowDescribed !== undefined || !control.hasAttribute('aria-describedby')) {
          control.setAttribute('aria-describedby', name.id);
          control.dataset.rowDescribed = '';
        }
      }
    }
    observer.observe(table, { childList: true, subtree: true });
  };
  const tableId = `t${Math.random().toString(36).slice(2, 8)}`;
  const observer = new MutationObserver(apply);
  apply();
  return { destroy: () => observer.disconnect() };
}
