import { parse } from 'csv-parse/sync';
import type { Rejection } from './validate.ts';

/**
 * School and nursery attendance as CSV, mapped to attendance events. Pure.
 *
 * Columns (header row required, any order): pupilId (the school's own record
 * id for the pupil, as sent in its records), from, to (YYYY-MM-DD),
 * possible, attended (sessions); optional upn, setting (school or nursery).
 */

export const REQUIRED_COLUMNS = ['pupilId', 'from', 'to', 'possible', 'attended'] as const;

export interface AttendanceMapping {
  events: unknown[];
  /** Row numbers as a spreadsheet shows them (the header is row 1). */
  rows: number[];
  /** Rows refused, each with the event it would have been (values as sent), for the quarantine. */
  rejects: { row: number; reasons: Rejection[]; raw: unknown }[];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const UPN = /^[A-Z]\d{11}[0-9A-Z]$/;

function realDate(s: string): boolean {
  if (!DATE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** Parse the CSV. A file that is not CSV, or lacks a required column, throws with a message naming what is wrong. */
export function mapAttendanceCsv(text: string, agency: string): AttendanceMapping {
  let records: Record<string, string>[];
  try {
    records = parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<string, string>[];
  } catch (error) {
    throw new Error(`The body is not readable CSV (${(error as { code?: string }).code ?? 'parse error'})`, { cause: error });
  }
  const header = records[0] ? Object.keys(records[0]) : [];
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  if (records.length > 0 && missing.length > 0) throw new Error(`The CSV has no column named ${missing.join(', ')}`);
  const out: AttendanceMapping = { events: [], rows: [], rejects: [] };
  records.forEach((r, i) => {
    const row = i + 2;
    const reasons: Rejection[] = [];
    const at = (column: string, expected: string, echo = false) =>
      reasons.push({ path: `row ${row}, column ${column}`, expected, ...(echo ? { value: r[column] ?? '' } : {}) });
    const pupilId = r.pupilId ?? '';
    if (!/^\S+$/.test(pupilId)) at('pupilId', 'the school’s record id for the pupil, with no spaces');
    if (r.upn && !UPN.test(r.upn)) at('upn', 'a unique pupil number: a letter, 11 digits and a check character');
    for (const c of ['from', 'to'] as const) if (!realDate(r[c] ?? '')) at(c, 'a real date as YYYY-MM-DD');
    const possible = Number(r.possible);
    const attended = Number(r.attended);
    if (!/^\d+$/.test(r.possible ?? '')) at('possible', 'a whole number of sessions', true);
    if (!/^\d+$/.test(r.attended ?? '')) at('attended', 'a whole number of sessions', true);
    else if (attended > possible) at('attended', 'no more than the possible sessions', true);
    const setting = r.setting || 'school';
    if (setting !== 'school' && setting !== 'nursery') at('setting', 'school or nursery', true);
    if (reasons.length === 0 && (r.from ?? '') > (r.to ?? '')) at('to', 'on or after the from date');
    if (reasons.length > 0) {
      out.rejects.push({
        row, reasons,
        raw: { id: `attendance-${pupilId}-${r.from ?? ''}-${r.to ?? ''}`, at: r.to ?? '', agency, type: 'attendance', subjects: [pupilId],
          data: { setting, from: r.from ?? '', to: r.to ?? '', possible: r.possible ?? '', attended: r.attended ?? '' } },
      });
      return;
    }
    out.rows.push(row);
    out.events.push({
      id: `attendance-${pupilId}-${r.from}-${r.to}`, at: r.to, agency, type: 'attendance', subjects: [pupilId],
      data: { setting, from: r.from, to: r.to, possible, attended },
    });
  });
  return out;
}
