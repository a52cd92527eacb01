import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { Clock } from '../../platform/clock.ts';
import type { RequestContext } from '../../platform/access/context.ts';
import { auditOutcomeFor, filterVisiblePeople, requirePersonAccess } from '../../platform/access/person-access.ts';
import { writeAudit } from '../../platform/audit/audit.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { flagCatalogue } from '../../domain/flags/index.ts';
import { flagsRepository, type FlagRow, type FlagState, type RoutedToKind } from './repository.ts';

/**
 * What practitioners do with flags: see them (on the person page, the
 * chronologies, their worklist and the flag's own page), acknowledge one with
 * a note and close one with a reason. Every read and every change goes through
 * the person access check and is audited; a change is also a row in the
 * flag's own history. Nothing is deleted.
 */

type Db = Kysely<DB>;
export const FLAG_ID = /^fl_[0-9]{1,12}$/;
const NOTE_MAX = 2000;

const CATEGORY_TITLES: Record<string, string> = {
  'was-not-brought': 'Was not brought', 'unscheduled-care': 'Unscheduled care', 'infant-injury': 'Injury in a baby',
  'cumulative-concern': 'Cumulative concern', 'unborn-baby-risk': 'Unborn baby at risk', 'prior-history': 'Prior history',
  'household-adult-risk': 'Adult risk in the household', 'new-to-area': 'New to the area', 'repeat-referral': 'Repeat referral',
  disengagement: 'Disengagement', 'missing-education': 'Missing education', 'decision-overdue': 'Decision overdue',
};
const RULE_TITLES = new Map(flagCatalogue().map((r) => [r.id, r.title]));

export interface FlagView extends FlagRow {
  categoryTitle: string;
  ruleTitle: string;
  routedTo: string;
  stateLabel: string;
}

async function describe(db: Db | Transaction<DB>, flags: FlagRow[]): Promise<FlagView[]> {
  const repo = flagsRepository(db);
  const teams = await repo.teamNames(flags.filter((f) => f.routedToKind === 'team' && f.routedToId).map((f) => f.routedToId!));
  const users = await repo.userNames(flags.filter((f) => f.routedToKind === 'user' && f.routedToId).map((f) => f.routedToId!));
  return flags.map((f) => ({
    ...f,
    categoryTitle: CATEGORY_TITLES[f.category] ?? f.category,
    ruleTitle: RULE_TITLES.get(f.ruleId) ?? f.ruleId,
    routedTo: f.routedToKind === 'team' ? teams.get(f.routedToId ?? '') ?? 'A team'
      : f.routedToKind === 'user' ? users.get(f.routedToId ?? '') ?? 'A practitioner' : 'Front door queue',
    stateLabel: { open: 'Open', acknowledged: 'Acknowledged', closed: 'Closed' }[f.state],
  }));
}

/** The flags about people the caller may see, for a person or family page; the read is audited per person. */
export async function flagsForPeople(db: Db, ctx: RequestContext, personIds: string[], clock: Clock): Promise<FlagView[]> {
  return db.transaction().execute(async (trx) => {
    const visible = [...await filterVisiblePeople(trx, ctx, personIds, clock)];
    const flags = await flagsRepository(trx).flagsOfPeople(visible);
    for (const personId of new Set(flags.map((f) => f.personId))) {
      await writeAudit(trx, ctx, {
        action: 'read', outcome: 'allowed', subjectType: 'flag', personId,
        details: { flags: flags.filter((f) => f.personId === personId).map((f) => f.id) },
      });
    }
    return describe(trx, flags);
  });
}

/** One flag, its evidence and history, after the access check on the person it is about; audited. */
export async function flagPage(db: Db, ctx: RequestContext, flagId: string, clock: Clock) {
  return db.transaction().execute(async (trx) => {
    const repo = flagsRepository(trx);
    const flag = FLAG_ID.test(flagId) ? await repo.flag(flagId) : undefined;
    if (!flag) throw new NotFoundError();
    const access = await requirePersonAccess(trx, ctx, flag.personId, clock);
    const [view] = await describe(trx, [flag]);
    const evidence = await repo.eventRows(flag.evidenceRows);
    const history = await repo.history(flag.id);
    const names = await repo.userNames(history.filter((h) => h.actorKind === 'user').map((h) => h.actorId));
    await writeAudit(trx, ctx, { action: 'read', outcome: auditOutcomeFor(access), subjectType: 'flag', subjectId: flag.id, personId: flag.personId });
    return {
      flag: view!,
      evidence,
      history: history.map((h) => ({ ...h, who: h.actorKind === 'user' ? names.get(h.actorId) ?? 'A practitioner' : 'Kinsight' })),
    };
  });
}

const ACTIONS = {
  acknowledge: { to: 'acknowledged' as FlagState, from: ['open', 'acknowledged'], field: 'note', message: 'Enter a note saying what you have done or will do' },
  close: { to: 'closed' as FlagState, from: ['open', 'acknowledged'], field: 'reason', message: 'Enter the reason for closing the flag' },
} as const;

/** Acknowledge (a note is required) or close (a reason is required) a flag; the change and its history row commit with the audit. */
export async function changeFlagState(
  db: Db, ctx: RequestContext, flagId: string, action: keyof typeof ACTIONS, form: unknown, clock: Clock,
): Promise<FlagRow> {
  const spec = ACTIONS[action];
  const raw = form && typeof form === 'object' ? (form as Record<string, unknown>)[spec.field] : undefined;
  const text = typeof raw === 'string' ? raw.trim() : '';
  return db.transaction().execute(async (trx) => {
    const repo = flagsRepository(trx);
    const flag = FLAG_ID.test(flagId) ? await repo.flag(flagId) : undefined;
    if (!flag) throw new NotFoundError();
    const access = await requirePersonAccess(trx, ctx, flag.personId, clock);
    if (text.length === 0) throw new ValidationError('Check the form', [{ path: spec.field, message: spec.message }]);
    if (text.length > NOTE_MAX) throw new ValidationError('Check the form', [{ path: spec.field, message: `The ${spec.field} must be ${NOTE_MAX} characters or fewer` }]);
    if (!(spec.from as readonly string[]).includes(flag.state)) {
      throw new ValidationError('Check the form', [{ path: spec.field, message: 'This flag is closed: it cannot be changed' }]);
    }
    const actor = ctx.actor.kind === 'user' ? ctx.actor.userId : ctx.actor.kind === 'api-client' ? ctx.actor.clientId : ctx.actor.process;
    const at = clock.now();
    await repo.setState(flag.id, { state: spec.to, note: text, at, by: actor });
    await repo.insertHistory({ flagId: flag.id, at, actorKind: ctx.actor.kind, actorId: actor, action, fromState: flag.state, toState: spec.to, note: text });
    // The audit says what was done, never the words typed about the child.
    await writeAudit(trx, ctx, {
      action, outcome: auditOutcomeFor(access) === 'break-glass' ? 'break-glass' : 'succeeded', subjectType: 'flag', subjectId: flag.id, personId: flag.personId,
      details: { from: flag.state, to: spec.to },
    });
    return { ...flag, state: spec.to, stateNote: text, stateChangedAt: at, stateChangedBy: actor };
  });
}

/** Where a user's worklist draws from: flags routed to them, to their team, and (at a front door) the front-door queue. */
async function routesOf(db: Db | Transaction<DB>, ctx: RequestContext): Promise<{ mine: { kind: RoutedToKind; id: string | null }[]; team: { kind: RoutedToKind; id: string | null }[]; door: { kind: RoutedToKind; id: string | null }[] }> {
  if (ctx.actor.kind !== 'user') return { mine: [], team: [], door: [] };
  const kind = await flagsRepository(db).agencyKind(ctx.actor.agencyId);
  return {
    mine: [{ kind: 'user', id: ctx.actor.userId }],
    team: ctx.actor.teamId ? [{ kind: 'team', id: ctx.actor.teamId }] : [],
    door: kind === 'front-door' ? [{ kind: 'front-door', id: ctx.actor.agencyId }, { kind: 'front-door', id: null }] : [],
  };
}

/** The signed-in user's worklist: live flags routed to them, their team or their front door, about people they may see; audited. */
export async function worklist(db: Db, ctx: RequestContext, clock: Clock) {
  return db.transaction().execute(async (trx) => {
    const routes = await routesOf(trx, ctx);
    const repo = flagsRepository(trx);
    const lists = { mine: await repo.worklist(routes.mine), team: await repo.worklist(routes.team), door: await repo.worklist(routes.door) };
    const visible = await filterVisiblePeople(trx, ctx, [...lists.mine, ...lists.team, ...lists.door].map((f) => f.personId), clock);
    const shown = {
      mine: await describe(trx, lists.mine.filter((f) => visible.has(f.personId))),
      team: await describe(trx, lists.team.filter((f) => visible.has(f.personId))),
      door: await describe(trx, lists.door.filter((f) => visible.has(f.personId))),
    };
    const ids = [...shown.mine, ...shown.team, ...shown.door].map((f) => f.id);
    await writeAudit(trx, ctx, {
      action: 'read', outcome: 'allowed', subjectType: 'flag-worklist',
      details: { shown: ids.length, flags: ids, hidden: lists.mine.length + lists.team.length + lists.door.length - ids.length },
    });
    const hiddenDoor = lists.door.length - shown.door.length;
    return { ...shown, hiddenDoor, isFrontDoor: routes.door.length > 0, hasTeam: routes.team.length > 0, now: clock.now() };
  });
}

/** The rules, what each looks for and the learning it cites, grouped by category. */
export function cataloguePage() {
  const rules = flagCatalogue();
  return Object.entries(CATEGORY_TITLES).map(([category, title]) => ({ category, title, rules: rules.filter((r) => r.category === category) }));
}
