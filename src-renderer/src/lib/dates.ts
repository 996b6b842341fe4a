import { formatDate } from './format';

const DAY_MS = 86_400_000;

/** "on 8 Jun 2025, 14:00 (in 6 days)"; "today" once due or overdue (it runs as soon as Keydesk can). */
export function dueText(iso: string, now = Date.now()): string {
  const days = Math.ceil((Date.parse(iso) - now) / DAY_MS);
  const relative = days <= 0 ? 'due now' : days === 1 ? 'tomorrow' : `in ${days} days`;
  return `${formatDate(iso)} (${relative})`;
}

/** The date `days` whole days from now, as the dialog promises it. */
export function daysFromNow(days: number, now = Date.now()): string {
  return formatDate(new Date(now + days * DAY_MS).toISOString());
}
