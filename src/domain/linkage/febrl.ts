import type { PersonRecord } from './person-record.ts';

export interface LabelledRecords {
  readonly records: PersonRecord[];
  /**
   * The person each record belongs to, read from FEBRL's rec_id (rec-N-org,
   * rec-N-dup-K → N), or null when the id does not say. Only for scoring.
   */
  readonly truePerson: (string | null)[];
}

const FEBRL_ID = /^rec-(\d+)-(?:org|dup-\d+)$/;

function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (c === ',') {
      cells.push(cell.trim());
      cell = '';
    } else cell += c;
  }
  cells.push(cell.trim());
  return cells;
}

/** Read a FEBRL-format CSV (rec_id, given_name, surname, street_number, address_1, address_2, suburb, postcode, state, date_of_birth, soc_sec_id). */
export function parseFebrlCsv(text: string): LabelledRecords {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = splitCsvLine(lines[0] ?? '').map((name) => name.toLowerCase());
  const column = (name: string) => header.indexOf(name);
  const required = ['rec_id', 'given_name', 'surname'];
  const missing = required.filter((name) => column(name) < 0);
  if (missing.length > 0) throw new Error(`not a FEBRL file: no ${missing.join(', ')} column`);
  const at = (cells: string[], name: string): string | undefined => {
    const index = column(name);
    const value = index >= 0 ? cells[index] : undefined;
    return value === undefined || value === '' ? undefined : value;
  };
  const records: PersonRecord[] = [];
  const truePerson: (string | null)[] = [];
  for (const line of lines.slice(1)) {
    const cells = splitCsvLine(line);
    const recordId = at(cells, 'rec_id') ?? `row-${records.length + 1}`;
    const given = at(cells, 'given_name');
    const addressLines = [at(cells, 'address_1'), at(cells, 'address_2')].filter((x): x is string => x !== undefined);
    records.push({
      recordId,
      givenNames: given ? [given] : undefined,
      familyName: at(cells, 'surname'),
      streetNumber: at(cells, 'street_number'),
      addressLines,
      town: at(cells, 'suburb'),
      postcode: at(cells, 'postcode'),
      region: at(cells, 'state'),
      birthDate: at(cells, 'date_of_birth'),
      otherIdentifier: at(cells, 'soc_sec_id'),
    });
    truePerson.push(FEBRL_ID.exec(recordId)?.[1] ?? null);
  }
  return { records, truePerson };
}
