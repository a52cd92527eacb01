import type { ZodError } from 'zod';

export interface FieldError {
  /** The id of the field the message belongs to. */
  field: string;
  text: string;
}

/** A form's problems, first message per field, from a failed zod parse. */
export function fieldErrorsOf(error: ZodError): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    const field = String(issue.path[0]);
    if (seen.has(field)) continue;
    seen.add(field);
    out.push({ field, text: issue.message });
  }
  return out;
}

/** What a page needs to show problems: the error summary's list and each field's own message. */
export function errorSummary(errors: readonly FieldError[] | undefined): { errors?: { text: string; href: string }[]; fieldErrors: Record<string, string> } {
  return {
    ...(errors ? { errors: errors.map((e) => ({ text: e.text, href: `#${e.field}` })) } : {}),
    fieldErrors: Object.fromEntries((errors ?? []).map((e) => [e.field, e.text])),
  };
}
