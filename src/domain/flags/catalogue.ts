import type { FlagRule } from './engine.ts';
import { multiAgencyConcerns } from './rules/cumulative.ts';
import { closureWithConcerns, serviceClosedForNonEngagement } from './rules/disengagement.ts';
import { lowAttendance, missingFromEducation } from './rules/education.ts';
import { coexistingAdultIssues, domesticAbuseIncident, riskToChildrenInHousehold } from './rules/family.ts';
import { historyAtTheFrontDoor, newToAreaWithHistory, repeatReferral } from './rules/history.ts';
import { assessmentOverdue, referralDecisionOverdue } from './rules/timescales.ts';
import { unbornRiskFactors } from './rules/unborn.ts';
import { frequentUnscheduledCare, infantInjury, repeatInjuryOrIngestion } from './rules/unscheduled-care.ts';
import { wnbAdditionalNeeds, wnbChildOnPlan, wnbPattern } from './rules/was-not-brought.ts';

/** Every rule Kinsight evaluates, in the order the catalogue page lists them (by category as in flags.md). */
export const FLAG_CATALOGUE: readonly FlagRule[] = [
  wnbPattern,
  wnbChildOnPlan,
  wnbAdditionalNeeds,
  repeatInjuryOrIngestion,
  frequentUnscheduledCare,
  infantInjury,
  multiAgencyConcerns,
  unbornRiskFactors,
  historyAtTheFrontDoor,
  coexistingAdultIssues,
  riskToChildrenInHousehold,
  domesticAbuseIncident,
  newToAreaWithHistory,
  repeatReferral,
  closureWithConcerns,
  serviceClosedForNonEngagement,
  lowAttendance,
  missingFromEducation,
  referralDecisionOverdue,
  assessmentOverdue,
];
