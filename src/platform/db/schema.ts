import type { ColumnType, Generated } from 'kysely';

/** Kysely's view of the schema. Keep in step with migrations/. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface AgencyTable {
  id: string;
  name: string;
  kind: string;
  authority_code: string;
  created_at: Generated<Timestamp>;
}

export interface TeamTable {
  id: string;
  agency_id: string;
  name: string;
  kind: Generated<string>;
  created_at: Generated<Timestamp>;
}

export interface AppUserTable {
  id: Generated<string>;
  username: string;
  display_name: string;
  agency_id: string;
  team_id: string | null;
  roles: string[];
  password_hash: string | null;
  totp_secret: string | null;
  active: Generated<boolean>;
  demo: Generated<boolean>;
  created_at: Generated<Timestamp>;
  failed_sign_ins: Generated<number>;
  locked_until: Timestamp | null;
  last_sign_in_at: Timestamp | null;
  oidc_subject: string | null;
  must_change_password: Generated<boolean>;
  created_by: string | null;
}

export interface UserSessionTable {
  id_hash: string;
  user_id: string;
  /** 'password-verified' (awaiting the second factor) or 'signed-in'. */
  stage: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  ended_at: Timestamp | null;
  ended_reason: string | null;
}

export interface ApiClientTable {
  id: string;
  agency_id: string;
  name: string;
  key_prefix: string;
  key_hash: string;
  scopes: string[];
  active: Generated<boolean>;
  created_at: Generated<Timestamp>;
}

export interface BreakGlassGrantTable {
  id: string;
  user_id: string;
  person_id: string;
  reason: string;
  granted_at: Timestamp;
  expires_at: Timestamp;
  reviewed_at: Timestamp | null;
  reviewed_by: string | null;
  review_note: string | null;
}

export interface RestrictedAccessTable {
  person_id: string;
  user_id: string;
  granted_by: string | null;
  granted_at: Generated<Timestamp>;
  reason: string;
}

export interface InformationShareTable {
  id: string;
  person_id: string;
  recorded_by: string;
  recorded_at: Timestamp;
  decision: string;
  shared_with: string | null;
  what_shared: string | null;
  purpose: string;
  lawful_basis: string[];
  consent: string;
  consent_detail: string | null;
  reason_not_shared: string | null;
}

export interface AuditEventTable {
  id: Generated<number>;
  at: Generated<Timestamp>;
  correlation_id: string;
  actor_kind: string;
  actor_id: string;
  actor_agency_id: string | null;
  actor_roles: Generated<string[]>;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  person_id: string | null;
  purpose: string | null;
  outcome: string;
  break_glass_id: string | null;
  details: Generated<unknown>;
}

// Issue 4: agency records, people, relationships, families, involvements, events, quarantine.
export interface IngestBatchTable {
  id: string;
  source: string;
  sender_agency_id: string | null;
  actor_id: string;
  received_at: Timestamp;
  counts: unknown;
}

export interface AgencyRecordTable {
  id: Generated<number>;
  agency_id: string;
  local_id: string;
  first_received_at: Timestamp;
}

export interface AgencyRecordVersionTable {
  record_id: number;
  version: number;
  content_hash: string;
  kind: string;
  given_names: string | null;
  family_name: string | null;
  birth_date: string | null;
  expected_date: string | null;
  sex: string | null;
  nhs_number: string | null;
  postcode: string | null;
  body: unknown;
  batch_id: string;
  received_at: Timestamp;
}

export interface PersonTable {
  id: string;
  restricted: Generated<boolean>;
  created_at: Timestamp;
}

export interface PersonLinkTable {
  id: Generated<number>;
  person_id: string;
  record_id: number;
  method: string;
  linked_at: Timestamp;
  unlinked_at: Timestamp | null;
  unlink_reason: string | null;
}

/** A view: the agencies holding a currently linked record of each person. */
export interface PersonAgencyView {
  person_id: string;
  agency_id: string;
}

export interface RelationshipTable {
  id: Generated<number>;
  agency_id: string;
  from_record_id: number;
  to_record_id: number;
  type: string;
  from_date: string | null;
  content_hash: string;
  batch_id: string;
  received_at: Timestamp;
}

export interface FamilyMemberTable {
  family_id: string;
  person_id: string;
}

export interface EventTable {
  id: Generated<number>;
  agency_id: string;
  event_id: string;
  version: number;
  supersedes: number | null;
  content_hash: string;
  type: string;
  at: Timestamp;
  on_date: string;
  at_precision: string;
  significant: boolean;
  subjects: string[];
  data: unknown;
  text: string | null;
  batch_id: string;
  received_at: Timestamp;
}

export interface EventSubjectTable {
  event_row_id: number;
  record_id: number;
  person_id: string;
  at: Timestamp;
  agency_id: string;
  type: string;
  significant: boolean;
}

export interface EventRetractionTable {
  event_row_id: number;
  reason: string;
  batch_id: string;
  retracted_at: Timestamp;
}

export interface InvolvementTable {
  id: Generated<number>;
  person_id: string;
  agency_id: string;
  team_id: string | null;
  service: string;
  category: string | null;
  level: number | null;
  started_on: string;
  ended_on: string | null;
  end_reason: string | null;
  start_event_row_id: number;
  end_event_row_id: number | null;
}

export interface QuarantineTable {
  id: string;
  batch_id: string;
  agency_id: string | null;
  item_kind: string;
  item_index: number;
  raw: unknown;
  reasons: unknown;
  status: Generated<string>;
  received_at: Timestamp;
  resolved_at: Timestamp | null;
  resolved_by: string | null;
  resolved_batch_id: string | null;
}

// Issue 7: the flag store and its append-only history.
export interface FlagTable {
  id: string;
  key: string;
  category: string;
  rule_id: string;
  rule_version: number;
  person_id: string;
  evidence: string[];
  evidence_rows: ColumnType<(number | string)[], number[], number[]>;
  sources: string[];
  explanation: string;
  raised_at: Timestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
  review_by: Timestamp;
  routed_to_kind: string;
  routed_to_id: string | null;
  state: Generated<string>;
  state_note: string | null;
  state_changed_at: Timestamp | null;
  state_changed_by: string | null;
  previous_flag_id: string | null;
}

export interface FlagHistoryTable {
  id: Generated<number>;
  flag_id: string;
  at: Timestamp;
  actor_kind: string;
  actor_id: string;
  action: string;
  from_state: string | null;
  to_state: string;
  note: string | null;
  details: Generated<unknown>;
}

// Issue 6: record linkage.
export interface LinkageParametersTable {
  id: Generated<number>;
  trained_at: Timestamp;
  source: string;
  parameters: unknown;
  name_frequencies: Generated<unknown>;
  records: number;
  candidate_pairs: number;
  iterations: number;
}

export interface LinkReviewTable {
  id: Generated<number>;
  record_id: number;
  candidate_record_id: number;
  probability: number;
  match_weight: number;
  held_because: string | null;
  breakdown: unknown;
  created_at: Timestamp;
  /** 'open', 'linked', 'not-same-person' or 'superseded' (the two records became one person another way). */
  status: Generated<string>;
  decided_at: Timestamp | null;
  decided_by: string | null;
  decision_reason: string | null;
}

export interface FamilyCorrectionTable {
  id: Generated<number>;
  person_id: string;
  from_family_id: string | null;
  to_family_id: string;
  reason: string;
  corrected_by: string;
  corrected_at: Timestamp;
}

// Issue 8: the front door.
export interface FrontDoorContactTable {
  event_row_id: number;
  front_door_agency_id: string;
  recorded_by: string;
  recorded_at: Timestamp;
  referrer_name: string | null;
  referrer_role: string | null;
  referrer_agency_id: string | null;
  referrer_phone: string | null;
  urgent: Generated<boolean>;
  consent: string;
  consent_detail: string | null;
  lawful_basis: Generated<string[]>;
}

export interface FrontDoorHistoryViewTable {
  id: string;
  contact_event_row_id: number;
  viewed_by: string;
  viewed_at: Timestamp;
  contents: unknown;
}

export interface FrontDoorDecisionTable {
  id: string;
  contact_event_row_id: number;
  version: Generated<number>;
  front_door_agency_id: string;
  decided_by: string;
  decided_at: Timestamp;
  level: number;
  outcome: string;
  rationale: string;
  history_view_id: string;
  history_confirmed: boolean;
  re_referral: boolean;
  open_case: boolean;
  information_share_id: string | null;
  decision_event_row_id: number | null;
  handoff_agency_id: string | null;
  handoff_team_id: string | null;
  /** Migration 0018: a later version names the version it corrects, and why. */
  corrects_decision_id: Generated<string | null>;
  correction_reason: Generated<string | null>;
}

export interface FrontDoorDecisionReviewTable {
  id: Generated<number>;
  decision_id: string;
  reviewed_by: string;
  reviewed_at: Timestamp;
  agrees: boolean;
  note: string;
}

// Issue 3: the Team Around the Child (membership gives access; one lead practitioner).
export interface TeamAroundChildMemberTable {
  id: string;
  child_person_id: string;
  agency_id: string;
  user_id: string | null;
  role: string;
  joined_on: string;
  left_on: string | null;
  added_by: string;
  added_at: Timestamp;
  ended_by: string | null;
  ended_at: Timestamp | null;
}

export interface DB {
  linkage_parameters: LinkageParametersTable;
  link_review: LinkReviewTable;
  family_correction: FamilyCorrectionTable;
  audit_event: AuditEventTable;
  ingest_batch: IngestBatchTable;
  agency_record: AgencyRecordTable;
  agency_record_version: AgencyRecordVersionTable;
  person: PersonTable;
  person_link: PersonLinkTable;
  person_agency: PersonAgencyView;
  relationship: RelationshipTable;
  family_member: FamilyMemberTable;
  event: EventTable;
  event_subject: EventSubjectTable;
  event_retraction: EventRetractionTable;
  involvement: InvolvementTable;
  quarantine: QuarantineTable;
  user_session: UserSessionTable;
  api_client: ApiClientTable;
  break_glass_grant: BreakGlassGrantTable;
  restricted_access: RestrictedAccessTable;
  information_share: InformationShareTable;
  agency: AgencyTable;
  team: TeamTable;
  app_user: AppUserTable;
  flag: FlagTable;
  flag_history: FlagHistoryTable;
  front_door_contact: FrontDoorContactTable;
  front_door_history_view: FrontDoorHistoryViewTable;
  front_door_decision: FrontDoorDecisionTable;
  front_door_decision_review: FrontDoorDecisionReviewTable;
  team_around_child_member: TeamAroundChildMemberTable;
}
