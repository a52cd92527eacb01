import { describe, expect, it } from 'vitest';
import { mapAttendanceCsv } from './attendance-csv.ts';

describe('attendance CSV mapped to attendance events', () => {
  it('maps each row to an attendance event about the pupil’s record', () => {
    const m = mapAttendanceCsv('pupilId,upn,from,to,possible,attended\nHNS-0415,A123456789012,2021-09-01,2021-12-17,140,42\n', 'nursery');
    expect(m.rejects).toEqual([]);
    expect(m.events).toEqual([{
      id: 'attendance-HNS-0415-2021-09-01-2021-12-17', at: '2021-12-17', agency: 'nursery', type: 'attendance', subjects: ['HNS-0415'],
      data: { setting: 'school', from: '2021-09-01', to: '2021-12-17', possible: 140, attended: 42 },
    }]);
    expect(m.rows).toEqual([2]);
  });

  it('rejects rows with the row, the column and what was expected, and keeps the good rows', () => {
    const m = mapAttendanceCsv('pupilId,from,to,possible,attended,setting\nP1,2021-02-30,2021-03-01,10,5,school\nP2,2021-01-01,2021-03-01,10,12,nursery\nP3,2021-01-01,2021-03-01,10,9,nursery\n', 'school');
    expect(m.rejects).toEqual([
      expect.objectContaining({ row: 2, reasons: [{ path: 'row 2, column from', expected: 'a real date as YYYY-MM-DD' }] }),
      expect.objectContaining({ row: 3, reasons: [{ path: 'row 3, column attended', expected: 'no more than the possible sessions', value: '12' }] }),
    ]);
    // What the row would have been, values as sent, for the quarantine.
    expect(m.rejects[0]!.raw).toEqual({
      id: 'attendance-P1-2021-02-30-2021-03-01', at: '2021-03-01', agency: 'school', type: 'attendance', subjects: ['P1'],
      data: { setting: 'school', from: '2021-02-30', to: '2021-03-01', possible: '10', attended: '5' },
    });
    expect(m.rows).toEqual([4]);
  });

  it('refuses a file without the required columns, naming them', () => {
    expect(() => mapAttendanceCsv('name,sessions\nKai,10\n', 'school')).toThrow('The CSV has no column named pupilId, from, to, possible, attended');
  });
});
