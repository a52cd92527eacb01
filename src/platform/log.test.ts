import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './log.ts';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger('info', stream) };
}

describe('logging', () => {
  it('never writes personal data fields, at the top level or nested', () => {
    const { lines, logger } = capture();
    logger.info({ nhsNumber: '9434765919', person: { name: 'Joanne Harper', birthDate: '1982-04-17' } }, 'linked');
    const line = lines.join('');
    expect(line).not.toContain('9434765919');
    expect(line).not.toContain('Joanne');
    expect(line).not.toContain('1982-04-17');
    expect(line).toContain('[redacted]');
    expect(line).toContain('linked');
  });

  it('drops query strings from request URLs', () => {
    const { lines, logger } = capture();
    logger.info({ req: { method: 'GET', url: '/people/search?q=Harper', id: 'r1' } }, 'request');
    expect(lines.join('')).not.toContain('Harper');
    expect(lines.join('')).toContain('/people/search');
  });
});
