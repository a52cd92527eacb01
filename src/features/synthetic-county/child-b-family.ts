import { HOME_AUTHORITY, NEIGHBOUR_AUTHORITY } from './agencies.ts';
import { isoDay } from './calendar.ts';
import { edAttendance, makePlace, pregnancy, type CountyContext, type Sim } from './generator.ts';
import { HouseholdBuilder, type CountyChunk, type Person } from './household.ts';
import type { Rng } from './rng.ts';

const YEAR = 365;

/**
 * A family following the Child B review (shared/seeds/004): the mother's five
 * older children were removed; the first child of this relationship had a child
 * protection plan for neglect before birth in the neighbouring authority
 * (Wrekinford); the family moves back across the boundary; the father has a
 * learning disability and the mother mental ill health; a twin pregnancy; the
 * eldest, with developmental delay, is brought to a minority of outpatient
 * appointments; ED attendances including an ingestion; nursery attendance about
 * 30%; early help closed with "positive progress" while the issues remained.
 * Names and places are invented; dates are placed inside the county's window.
 */
export function buildChildBFamily(ctx: CountyContext, key: string, rng: Rng): CountyChunk {
  const A = ctx.agencies;
  const h = new HouseholdBuilder(key, rng, ctx.counters, 'growing-needs', 'child-b-004');
  // The move back into Marlshire, two months into the window.
  const a = ctx.start + 60;
  const sim: Sim = {
    h, rng, ctx, inDay: a, outDay: ctx.end + 1, tenure: 'private', gp: [],
    mods: { childMissed: 8, adultMissed: 2, childEd: 1.5, injuryShare: 0.3, absence: 0.2, nurseryAttendance: 0.3, nurseryTwoYearOld: 1, police: 2 },
    statuses: [],
  };
  const mother = h.addPerson({ sex: 'female', given: ['Leanne', 'Michelle'], family: 'Barlow', birth: a - 38 * YEAR - 97, role: 'mother', joined: -Infinity, left: Infinity });
  const father = h.addPerson({ sex: 'male', given: ['Craig', 'Anthony'], family: 'Dutton', birth: a - 29 * YEAR + 41, role: 'father', joined: -Infinity, left: Infinity });
  const childBirth = a - 2 * YEAR + 12;
  const child = h.addPerson({ sex: 'male', given: ['Mason', 'Craig'], family: 'Dutton', otherFamily: 'Barlow', birth: childBirth, role: 'child', joined: -Infinity, left: Infinity });
  h.stats.childrenAtStart = 1;
  h.relate(mother, father, 'partner-of', childBirth - YEAR);
  h.relate(mother, child, 'parent-of');
  h.relate(father, child, 'parent-of');

  const wk = makePlace(rng, NEIGHBOUR_AUTHORITY.code, childBirth - 400, 'private');
  const flat = makePlace(rng, HOME_AUTHORITY.code, a, 'private', 'Marlbury');
  const house = makePlace(rng, HOME_AUTHORITY.code, a + 55, 'social', 'Marlbury');
  h.places.push(wk, flat, house);

  // Parents registered at different practices (004, 4.3.5).
  const gpFamily = A.byTown.get('Marlbury')?.gps[0] ?? (A.gps[0] as NonNullable<(typeof A.gps)[number]>);
  const gpFather = A.byTown.get('Marlbury')?.gps[1] ?? A.gps[1 % A.gps.length] ?? gpFamily;
  sim.gp[mother.index] = gpFamily;
  sim.gp[father.index] = gpFather;
  sim.gp[child.index] = gpFamily;

  const W = A.neighbourCsc;
  const fd = A.frontDoor;
  const eh = A.earlyHelp;
  const hv = A.hv;
  const ch = A.communityHealth;
  const hosp = A.hospital;
  const mat = A.maternity;
  const kids = [child];

  // History in Wrekinford.
  const wm = h.ref(W, mother, a - 9 * YEAR);
  h.emit(a - 9 * YEAR, null, W, 'attribute', [wm], { attribute: 'previous-children-removed', count: 5, detail: 'Five children born over thirteen years, all removed through care proceedings.' });
  h.emit(a - 9 * YEAR, null, W, 'attribute', [wm], { attribute: 'substance-misuse', detail: 'Heroin use including intravenous use; repeated relapse.' });
  const wf = h.ref(W, father, childBirth - 150);
  const wUnborn = h.unbornRef(W, child, childBirth + 5, childBirth - 150, 'Barlow');
  h.emit(childBirth - 150, null, W, 'pregnancy', [wm, wUnborn], { expectedDate: isoDay(childBirth + 5), gestationWeeks: 19, babies: 1 });
  h.emit(childBirth - 90, null, W, 'assessment', [wm, wf, wUnborn], { kind: 'pre-birth', summary: 'Mother drug free after methadone programme; long-standing low mood, self-reported bipolar disorder. Father has a learning disability.' });
  h.emit(childBirth - 90, null, W, 'attribute', [wm], { attribute: 'mental-health', detail: 'Long-standing low mood and anxiety; self-reported bipolar disorder.' });
  h.emit(childBirth - 90, null, W, 'attribute', [wf], { attribute: 'learning-disability', detail: 'Learning disability; cognitive functioning assessed as borderline to extremely low.' });
  h.emit(childBirth - 40, null, W, 'meeting', [wUnborn], { kind: 'cp-conference', attendees: [W.id] });
  h.emit(childBirth - 40, null, W, 'involvement-start', [wUnborn], { service: 'child-protection', category: 'neglect', level: 4 });
  const wChild = h.ref(W, child, childBirth);
  h.emit(childBirth, null, W, 'birth', [wm, wChild], { unborn: wUnborn, child: wChild });
  h.emit(childBirth + 100, null, W, 'assessment', [wf], { kind: 'pams', summary: 'PAMS: father can learn routine care tasks with repetition and support.' });
  h.emit(childBirth + 190, null, W, 'involvement-end', [wChild], { service: 'child-protection', reason: 'stepped-down' });
  h.emit(childBirth + 190, null, W, 'involvement-start', [wChild], { service: 'child-in-need', level: 4 });
  h.emit(childBirth + 340, null, W, 'attribute', [wChild], { attribute: 'additional-needs', detail: 'Emerging developmental and communication needs.' });
  h.emit(a - 120, null, W, 'involvement-end', [wChild], { service: 'child-in-need', reason: 'most-needs-met' });

  // Back across the boundary: the front door does not link the history.
  const charity = A.charity;
  const cRef = h.ref(charity, child, a + 25);
  h.ref(charity, mother, a + 25);
  const r1 = h.emit(a + 25, 600, charity, 'referral', [cRef], { to: fd.id, reason: 'Financial and practical support: child very hungry, no nappies.', requestedLevel: 2 });
  h.emit(a + 26, 620, fd, 'decision', [h.ref(fd, child, a + 26)], { on: r1, level: 3, outcome: 'early-help', rationale: 'Family with a toddler experiencing financial hardship after a move. Targeted early help.' });
  const hvChild = h.ref(hv, child, a + 20);
  h.ref(hv, mother, a + 20);
  h.ref(hv, father, a + 20);
  h.emit(a + 20, null, hv, 'move', [hvChild], { address: { ...flat.address, from: isoDay(a) }, authority: HOME_AUTHORITY.code, fromAuthority: NEIGHBOUR_AUTHORITY.code }, 'Transfer in from Wrekinford 0-19 service.');
  const r2 = h.emit(a + 26, 885, hv, 'referral', [hvChild], { to: fd.id, reason: 'Family support: housing, finances, missed medical appointments; father has learning needs.', requestedLevel: 3 });
  h.emit(a + 26, 885, hv, 'attribute', [h.ref(hv, father, a + 26)], { attribute: 'learning-disability', detail: 'Father needs help with letters, forms and appointments.' });
  h.emit(a + 27, 600, fd, 'decision', [h.ref(fd, child, a + 27)], { on: r2, level: 3, outcome: 'added-to-open-case', rationale: 'Already progressed to early help yesterday: added to the open case.' });
  const ehSubjects = [h.ref(eh, child, a + 30)];
  h.ref(eh, mother, a + 30);
  h.ref(eh, father, a + 30);
  h.emit(a + 30, null, eh, 'involvement-start', ehSubjects, { service: 'early-help', level: 3 });
  sim.statuses.push({ person: child.index, kind: 'earlyHelp', from: a + 30, to: a + 83 });
  h.emit(a + 41, null, eh, 'assessment', ehSubjects, { kind: 'early-help', summary: 'Needs: rent arrears and debts, Universal Credit claim, furniture, GP registration.' });
  h.emit(a + 45, null, A.housing, 'note', [h.ref(A.housing, mother, a + 45), h.ref(A.housing, father, a + 45), h.ref(A.housing, child, a + 45)], undefined as never, 'Housing register application with support from early help.');
  h.emit(a + 55, null, A.housing, 'move', [h.ref(A.housing, mother, a + 55)], { address: { ...house.address, from: isoDay(a + 55) }, authority: HOME_AUTHORITY.code }, 'Council tenancy signed.');
  h.emit(a + 58, null, gpFamily, 'move', [h.ref(gpFamily, mother, a + 58), h.ref(gpFamily, child, a + 58)], { address: { ...house.address, from: isoDay(a + 55) }, authority: HOME_AUTHORITY.code, fromAuthority: NEIGHBOUR_AUTHORITY.code }, 'New patient registration (mother and son).');
  h.emit(a + 53, null, hv, 'appointment', [hvChild], { service: 'health-visiting', status: 'attended' }, 'ASQ-3: communication and gross motor well below cut-off.');
  h.emit(a + 53, null, hv, 'referral', [hvChild], { to: ch.id, reason: 'Global developmental delay: no words at 23 months, unsteady walking.' });
  h.emit(a + 83, null, eh, 'involvement-end', ehSubjects, { service: 'early-help', reason: 'needs-met' }, 'Case closed: positive progress. Family housed and registered with a GP.');

  // The twin pregnancy, booked with the history disclosed but no unborn-baby referral.
  h.emit(a + 100, null, gpFamily, 'note', [h.ref(gpFamily, mother, a + 100)], undefined as never, 'Positive pregnancy test. Self-referral to midwife advised.');
  h.emit(a + 130, null, gpFather, 'move', [h.ref(gpFather, father, a + 130)], { address: { ...house.address, from: isoDay(a + 55) }, authority: HOME_AUTHORITY.code, fromAuthority: NEIGHBOUR_AUTHORITY.code }, 'New patient registration. Learning difficulties noted.');
  const lmp = a + 68;
  const twinBirth = lmp + 260;
  const twin1 = h.addPerson({ sex: 'male', given: ['Reggie', 'James'], family: 'Dutton', otherFamily: 'Barlow', birth: twinBirth, role: 'child', joined: twinBirth, left: Infinity });
  const twin2 = h.addPerson({ sex: 'male', given: ['Ronnie', 'Lee'], family: 'Dutton', otherFamily: 'Barlow', birth: twinBirth, role: 'child', joined: twinBirth, left: Infinity });
  for (const t of [twin1, twin2]) {
    h.relate(mother, t, 'parent-of');
    h.relate(father, t, 'parent-of');
    h.relate(child, t, 'sibling-of');
    sim.gp[t.index] = gpFamily;
  }
  h.relate(twin1, twin2, 'sibling-of');
  kids.push(twin1, twin2);
  pregnancy(sim, mother, [twin1, twin2], lmp, lmp + 280, twinBirth, false, mat);
  const booking = lmp + 8 * 7 + 3;
  const mm = h.ref(mat, mother, booking);
  h.emit(booking, null, mat, 'attribute', [mm], { attribute: 'previous-children-removed', count: 5, detail: 'Five older children not in her care (adopted or in long-term care).' });
  h.emit(booking, null, mat, 'attribute', [mm], { attribute: 'mental-health', detail: 'Self-reported bipolar disorder; antidepressant prescribed.' });
  h.emit(booking, null, mat, 'attribute', [mm], { attribute: 'learning-disability', detail: 'Partner has learning difficulties (reported by mother).' });
  h.emit(booking, 910, mat, 'lateral-check', [mm], { with: fd.id, answer: 'No current involvement: previous early help case closed.' }, 'Telephoned the front door about the previous child protection plan disclosed at booking.');

  // The eldest: developmental delay, brought to about a quarter of his outpatient appointments.
  h.emit(a + 160, null, ch, 'attribute', [h.ref(ch, child, a + 160)], { attribute: 'additional-needs', detail: 'Global developmental delay; social communication difficulties.' });
  const plan: [number, string, 'attended' | 'was-not-brought' | 'cancelled-by-family'][] = [
    [a + 145, 'community-paediatrics', 'was-not-brought'], [a + 166, 'speech-and-language', 'was-not-brought'],
    [a + 173, 'community-paediatrics', 'attended'], [a + 180, 'physiotherapy', 'attended'],
    [a + 214, 'speech-and-language', 'cancelled-by-family'], [a + 235, 'audiology', 'was-not-brought'],
    [a + 249, 'physiotherapy', 'was-not-brought'], [a + 284, 'community-paediatrics', 'was-not-brought'],
    [a + 305, 'speech-and-language', 'was-not-brought'], [a + 319, 'audiology', 'attended'],
    [a + 445, 'speech-and-language', 'was-not-brought'], [a + 470, 'physiotherapy', 'was-not-brought'],
    [a + 520, 'community-paediatrics', 'attended'], [a + 560, 'speech-and-language', 'was-not-brought'],
    [a + 600, 'audiology', 'cancelled-by-family'], [a + 640, 'community-paediatrics', 'was-not-brought'],
    [a + 700, 'speech-and-language', 'was-not-brought'],
  ];
  for (const [d, service, status] of plan) {
    if (d > ctx.end) continue;
    const agency = service === 'audiology' ? hosp : ch;
    h.emit(d, null, agency, 'appointment', [h.ref(agency, child, d)], { service, status });
  }
  if (a + 181 <= ctx.end) edAttendance(sim, child, a + 181, true, 'injury');
  if (a + 305 <= ctx.end) {
    h.emit(a + 305, 685, hosp, 'unscheduled-care', [h.ref(hosp, child, a + 305)], { setting: 'ed', reason: 'ingestion' }, 'Suspected ingestion of mother’s prescribed medication; found with an open blister pack. No treatment needed; advice on safe storage.');
  }
  // Nursery: a funded two-year-old place, attended about 30% of sessions.
  const nursery = A.byTown.get('Marlbury')?.nurseries[0] ?? (A.nurseries[0] as NonNullable<(typeof A.nurseries)[number]>);
  const nStart = a + 240;
  if (nStart <= ctx.end) {
    const nRef = h.ref(nursery, child, nStart);
    h.ref(nursery, mother, nStart, true);
    h.emit(nStart, null, nursery, 'education-status', [nRef], { status: 'on-roll' });
    for (let t = nStart, i = 0; t + 90 <= ctx.end && i < 9; t += 120, i++) {
      const attended = [19, 22, 17, 21, 18, 20, 16, 24, 19][i] as number;
      h.emit(t + 90, null, nursery, 'attendance', [nRef], { setting: 'nursery', from: isoDay(t), to: isoDay(t + 90), possible: 65, attended });
    }
  }

  // The twins: born early, feeding difficulties, outpatients attended 62% and 50%.
  if (twinBirth + 24 <= ctx.end) {
    h.emit(twinBirth + 24, 410, hosp, 'admission', [h.ref(hosp, twin2, twinBirth + 24)], { reason: 'Brief resolved unexplained event after a feed; reflux suspected.', days: 3 });
  }
  const twinPlan = (t: typeof twin1, attendedOf8: number, offset: number) => {
    const statuses = Array.from({ length: 8 }, (_, i) => (i % 8 < attendedOf8 ? 'attended' : 'was-not-brought'));
    // Interleave the misses through the series.
    statuses.sort((x, y) => (x === y ? 0 : (offset + statuses.indexOf(x)) % 2 ? -1 : 1));
    for (let i = 0; i < 8; i++) {
      const d = twinBirth + 60 + offset + i * 45;
      if (d > ctx.end) break;
      h.emit(d, null, hosp, 'appointment', [h.ref(hosp, t, d)], { service: rng.pick(['gastroenterology', 'dietetics', 'paediatrics']), status: statuses[i] as 'attended' | 'was-not-brought' });
    }
  };
  twinPlan(twin1, 5, 0);
  twinPlan(twin2, 4, 7);

  // The second early help episode: a hospital referral about strain, decided without the history.
  const r3d = twinBirth + 97;
  if (r3d + 200 <= ctx.end) {
    const r3 = h.emit(r3d, 600, hosp, 'referral', [h.ref(hosp, twin2, r3d), h.ref(hosp, child, r3d)], { to: fd.id, reason: 'Family under severe strain: twin with complex feeding needs and repeated admissions; mother’s low mood.', requestedLevel: 3 });
    h.emit(r3d + 1, 600, fd, 'decision', [h.ref(fd, twin2, r3d + 1), h.ref(fd, child, r3d + 1), h.ref(fd, twin1, r3d + 1)], { on: r3, level: 3, outcome: 'early-help', rationale: 'Needs arise from the children’s health needs; early help.' });
    const s = r3d + 7;
    const subj = kids.map((k) => h.ref(eh, k, s));
    h.emit(s, null, eh, 'involvement-start', subj, { service: 'early-help', level: 3 });
    h.emit(s + 18, null, eh, 'assessment', subj, { kind: 'early-help', summary: 'Complex health and learning needs for all three children; parents tired; money worries.' });
    h.emit(s + 23, null, eh, 'meeting', subj, { kind: 'tac', attendees: [eh.id, hv.id, ch.id], absent: [gpFamily.id, hosp.id] });
    h.emit(s + 39, 790, hosp, 'unscheduled-care', [h.ref(hosp, child, s + 39)], { setting: 'ed', reason: 'ingestion' }, 'Found licking an air freshener refill. No treatment needed.');
    const pi = s + 103;
    h.emit(pi, 1205, A.police, 'police-incident', [h.ref(A.police, father, pi), h.ref(A.police, mother, pi), h.ref(A.police, twin1, pi)], { category: 'concern-for-welfare', childrenPresent: 3 }, 'Assisted ambulance crew: father refusing access to an unwell baby, shouting.');
    const r4 = h.emit(pi + 2, 600, A.police, 'referral', [h.ref(A.police, twin1, pi + 2)], { to: fd.id, reason: 'Father aggressive to ambulance crew and refused access to unwell baby.', requestedLevel: 3 });
    h.emit(pi + 3, 600, fd, 'decision', [h.ref(fd, twin1, pi + 3)], { on: r4, level: 3, outcome: 'added-to-open-case', rationale: 'Open to targeted early help: added to the open case.' });
    h.emit(pi + 12, null, eh, 'assessment', [h.ref(eh, mother, pi + 12)], { kind: 'dash', summary: 'DASH with mother alone: standard risk. Father shouts when stressed.' });
    h.emit(pi + 12, null, eh, 'voice', [subj[0] as string], { observed: { behaviour: 'Bangs his head on the floor when frustrated; little eye contact.', play: 'Lines up toys; no pretend play.' } });
    const close = s + 200;
    h.emit(close, null, eh, 'involvement-end', subj, { service: 'early-help', reason: 'needs-met' }, 'Case closed: positive progress. Parents engaging; twins’ feeding improving.');
    for (const k of kids) sim.statuses.push({ person: k.index, kind: 'earlyHelp', from: s, to: close });
  }
  // Ordinary background (GP, HV, ED) for everyone, too: the pattern sits among ordinary events.
  return finishWithBackground(sim, h, [mother, father, child, twin1, twin2]);
}

function finishWithBackground(sim: Sim, h: HouseholdBuilder, people: Person[]): CountyChunk {
  const { ctx, rng } = sim;
  for (const p of people) {
    const gp = sim.gp[p.index];
    if (!gp) continue;
    const from = Math.max(ctx.start, sim.inDay, p.birth);
    for (let d = from + rng.int(20, 120); d <= ctx.end; d += rng.int(60, 160)) {
      const child = p.role === 'child';
      h.emit(d, null, gp, 'appointment', [h.ref(gp, p, d)], { service: 'gp', status: rng.chance(child ? 0.2 : 0.1) ? (child ? 'was-not-brought' : 'did-not-attend') : 'attended' });
    }
  }
  for (const [key, row] of Object.entries(censusOf(sim, people))) h.stats.census[key] = row;
  return h.finish(ctx.end);
}

function censusOf(sim: Sim, people: Person[]): Record<string, { children: number; cin: number; cp: number; cla: number; earlyHelp: number }> {
  const out: Record<string, { children: number; cin: number; cp: number; cla: number; earlyHelp: number }> = {};
  for (let y = new Date(sim.ctx.start * 86_400_000).getUTCFullYear(); ; y++) {
    const day = Math.round(Date.UTC(y, 2, 31) / 86_400_000);
    if (day > sim.ctx.end) break;
    if (day < sim.ctx.start) continue;
    const row = { children: 0, cin: 0, cp: 0, cla: 0, earlyHelp: 0 };
    for (const p of people) {
      if (p.role !== 'child' || p.birth > day || day < sim.inDay) continue;
      row.children++;
      if (sim.statuses.some((s) => s.person === p.index && s.kind === 'earlyHelp' && s.from <= day && s.to >= day)) row.earlyHelp++;
    }
    out[isoDay(day)] = row;
  }
  return out;
}
