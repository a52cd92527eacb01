import { z } from 'zod';
import { CONSENT, LAWFUL_BASES, REASONS_NOT_SHARED } from './lawful-basis.ts';

const keys = <T extends object>(o: T) => Object.keys(o) as [keyof T & string, ...(keyof T & string)[]];
const optionalText = z.string().trim().max(2000).optional().transform((v) => (v ? v : undefined));

/** The information-sharing form: what is required depends on the decision and the consent. */
export const informationShareForm = z
  .object({
    decision: z.enum(['shared', 'not-shared'], { message: 'Select whether you shared information' }),
    sharedWith: optionalText,
    whatShared: optionalText,
    purpose: z.string().trim().min(5, 'Enter why the information was, or would be, shared').max(2000),
    lawfulBasis: z
      .union([z.enum(keys(LAWFUL_BASES)), z.array(z.enum(keys(LAWFUL_BASES)))])
      .optional()
      .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])),
    consent: z.enum(keys(CONSENT), { message: 'Select what happened about consent' }),
    consentDetail: optionalText,
    reasonNotShared: z.enum(keys(REASONS_NOT_SHARED)).optional().or(z.literal('').transform(() => undefined)),
  })
  .superRefine((f, ctx) => {
    if (f.decision === 'shared') {
      if (!f.sharedWith) ctx.addIssue({ code: 'custom', path: ['sharedWith'], message: 'Enter who you shared information with' });
      if (!f.whatShared) ctx.addIssue({ code: 'custom', path: ['whatShared'], message: 'Enter what you shared' });
      if (f.lawfulBasis.length === 0) ctx.addIssue({ code: 'custom', path: ['lawfulBasis'], message: 'Select the lawful basis for sharing' });
    } else if (!f.reasonNotShared) {
      ctx.addIssue({ code: 'custom', path: ['reasonNotShared'], message: 'Select why you did not share' });
    }
    if (f.consent !== 'given' && !f.consentDetail) {
      ctx.addIssue({ code: 'custom', path: ['consentDetail'], message: 'Explain why consent was not sought, or why you shared without it' });
    }
  });
export type InformationShareForm = z.infer<typeof informationShareForm>;
