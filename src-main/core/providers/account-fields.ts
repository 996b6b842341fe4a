import type { AccountField } from './adapter';

/**
 * Which account fields apply and which are required, given the values chosen so far (a sign-in method).
 * The same rules drive the form and main's checks before saving. Node-free: the renderer uses it as is.
 */

type Values = Record<string, string | undefined>;

/** A field's value, or its default where the form has not set one yet. */
function valueOf(fields: AccountField[], values: Values, name: string): string {
  return values[name] ?? fields.find((field) => field.name === name)?.defaultValue ?? '';
}

export function fieldShown(field: AccountField, fields: AccountField[], values: Values): boolean {
  return !field.shownWhen || field.shownWhen.equals.includes(valueOf(fields, values, field.shownWhen.field));
}

export function fieldRequired(field: AccountField, fields: AccountField[], values: Values): boolean {
  if (!fieldShown(field, fields, values)) return false;
  if (field.required) return true;
  const when = field.requiredWhen;
  return !!when && 'field' in when && when.equals.includes(valueOf(fields, values, when.field));
}

/** What the label says after an optional field's name: "(optional)", or when it is needed. */
export function optionalNote(field: AccountField): string {
  const when = field.requiredWhen;
  return when && 'note' in when ? `(required ${when.note})` : '(optional)';
}
