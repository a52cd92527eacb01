/**
 * A person as one agency recorded them: every field optional, as sent.
 * Linkage reads these and never changes them.
 */
export interface PersonRecord {
  /** The agency's own opaque id for the record; never used as evidence. */
  readonly recordId: string;
  readonly givenNames?: readonly string[];
  readonly familyName?: string;
  /** Other family names the person is known to have had (birth surname, a former partner's). */
  readonly previousFamilyNames?: readonly string[];
  /** YYYY-MM-DD (YYYYMMDD is accepted too). */
  readonly birthDate?: string;
  readonly sex?: string;
  readonly nhsNumber?: string;
  readonly postcode?: string;
  readonly streetNumber?: string;
  readonly addressLines?: readonly string[];
  /** Suburb, village or town. */
  readonly town?: string;
  /** County, state or region. */
  readonly region?: string;
  /** Another identifier with no check digit (a local authority or agency number). */
  readonly otherIdentifier?: string;
}
