import type { ModelParameters } from './model.ts';

/**
 * The parameters Kinsight links with before `kinsight link --train` has
 * estimated its own from the partnership's records. See docs/linkage.md,
 * "Default parameters", for where each number comes from.
 *
 * - u (how often two unrelated people agree) is FEBRL4's, estimated from
 *   300,000 random pairs of dataset4a × dataset4b, rounded to three figures.
 *   Sex and NHS number are not in FEBRL: sex agrees by chance half the time; a
 *   valid NHS number is shared by chance about once in a million pairs.
 * - m (how often one person's two records agree) starts from FEBRL4's EM
 *   estimate and is moved where FEBRL's corruption model is unlike agencies'
 *   recording: FEBRL replaces given names outright (m "different" 0.099; here
 *   0.03) and almost never changes an address (m "different" 0.001; families
 *   move and agencies keep old addresses, here 0.18), and nicknames are
 *   commoner in agencies' records than in FEBRL's. A birth date that is
 *   recorded on both and different is rarer among agencies' records of one
 *   person than in FEBRL (m 0.045; here 0.02).
 * - One exception to FEBRL's u: "initial or middle name". Children are often
 *   given a parent's first name as a middle name, so a middle name that is
 *   the other record's given name happens between family members about one
 *   time in a hundred (FEBRL's random pairs: 0.0000357, which made a father
 *   and his son named after him a link). Here u is 0.01.
 * - prior: about one match in 10,000 random pairs (a partnership's records,
 *   several per person). With random-pair u this is the consistent prior; it
 *   asks for ~17.5 bits of evidence to link and ~13.3 to review.
 * - familyGivenSameAddress: co-residents share a family name most of the time,
 *   so a family name that agrees at the same address is weighed against 0.7,
 *   not against the random-pair rate (see `LinkageModel`).
 */
export const DEFAULT_PARAMETERS: ModelParameters = {
  m: [
    [0, 0.85, 0.03, 0.05, 0.02, 0.02, 0.005, 0.025],
    [0, 0.8, 0.03, 0.03, 0.01, 0.01, 0.005, 0.115],
    [0, 0.955, 0.002, 0.012, 0.011, 0.02],
    [0, 0.97, 0.03],
    [0, 0.95, 0.02, 0.03],
    [0, 0.913, 0.0482, 0.000999, 0.0377],
    [0, 0.55, 0.1, 0.08, 0.05, 0.04, 0.18],
  ],
  u: [
    [0, 0.00341, 0.00136, 0.00236, 0.00434, 0.01, 0.00000357, 0.978],
    [0, 0.00364, 0.00119, 0.0000103, 0.000488, 0.00231, 0.00000344, 0.992],
    [0, 0.000188, 0.0000106, 0.000881, 0.000046, 0.999],
    [0, 0.5, 0.5],
    [0, 0.000001, 0.00001, 0.99999],
    [0, 0.00014, 0.00002, 0.000247, 1],
    [0, 0.0000333, 0.0000867, 0.0000867, 0.0532, 0.344, 0.603],
  ],
  prior: 1e-4,
  familyGivenSameAddress: 0.7,
};
