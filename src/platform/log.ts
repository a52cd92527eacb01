import pino, { type Logger } from 'pino';

/**
 * Field names that may carry personal data. Kinsight never logs them: they are
 * replaced wherever they appear in a log line, at any depth we know of.
 */
export const PERSONAL_DATA_FIELDS = [
  'name', 'givenName', 'familyName', 'given', 'family', 'fullName', 'displayName',
  'birthDate', 'dateOfBirth', 'dob', 'nhsNumber', 'upn', 'address', 'postcode', 'lines',
  'text', 'said', 'observed', 'detail', 'rationale', 'reason', 'email', 'phone',
  'password', 'totp', 'code', 'secret', 'token', 'apiKey', 'cookie', 'authorization',
];

const redactPaths = [
  ...PERSONAL_DATA_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]),
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
];

export type { Logger };

/** The one logger factory: structured JSON with personal-data fields redacted. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: redactPaths, censor: '[redacted]' },
      // Request URLs carry only opaque ids by design; query strings may not, so drop them.
      serializers: {
        req: (req: { method?: string; url?: string; id?: string }) => ({
          method: req.method,
          url: req.url?.split('?')[0],
          id: req.id,
        }),
      },
    },
    destination,
  );
}
