import type { ReplayExpectation } from './service.ts';

/** `replay --check`: one line per expectation and a total; the exit code is 1 when any expectation is unmet. */
export function checkReport(expectations: ReplayExpectation[]): { lines: string[]; exitCode: 0 | 1 } {
  const lines = expectations.map((e) => `${e.met ? 'met  ' : 'UNMET'} ${e.category} about ${e.about} by ${e.by}${e.raisedAt ? ` (raised ${e.raisedAt})` : ''}`);
  const unmet = expectations.filter((e) => !e.met).length;
  lines.push(`${expectations.length - unmet} of ${expectations.length} expectations met`);
  return { lines, exitCode: unmet > 0 ? 1 : 0 };
}
