import type { LabelledRecords } from './febrl.ts';
import { seededRandom } from './linker.ts';
import type { PersonRecord } from './person-record.ts';

/*
 * Synthetic children and their agency records, for measuring the linker at
 * scale. Every name, street and postcode is made up; the noise is the kind
 * agencies introduce: typing slips, nicknames, a day and month swapped, a
 * family name changed or hyphenated, a move of house, fields left blank. One
 * family in a hundred has twins.
 */

const GIRLS = 'olivia amelia isla ava mia ivy lily isabella rosie sophia grace freya willow florence emily ella poppy evie elsie charlotte evelyn sienna sofia daisy phoebe sophie alice harper matilda ruby emilia maya millie eliza ellie arabella esme imogen jessica hannah chloe megan lucy katie bethany abigail eleanor zara aisha amira layla maryam nora hallie erin jasmine lola molly martha holly georgia lexi lottie ada harriet'.split(' ');
const BOYS = 'muhammad noah oliver george arthur leo harry oscar archie henry theodore freddie jack charlie theo alfie jacob thomas finley arlo william lucas roman tommy isaac teddy edward luca joshua james ezra hugo max louie elijah reggie ethan rory adam albert daniel joseph samuel benjamin alexander david ryan dylan jake kyle liam callum connor owen mason harrison ronnie bobby jenson sonny hunter'.split(' ');
const COMMON_SURNAMES = 'smith jones williams taylor brown davies evans wilson thomas johnson roberts robinson thompson wright walker white edwards hughes green hall lewis harris clarke patel jackson wood turner martin cooper hill ward morris moore clark lee king baker harrison morgan allen james scott phillips watson davis parker price bennett young griffiths mitchell kelly cook carter richardson bailey collins bell shaw murphy miller cox richards khan marshall anderson simpson ellis adams singh begum wilkinson foster chapman powell webb rogers gray mason ali hunt hussain campbell matthews owen palmer holmes mills barnes knight lloyd butler russell barker fisher stevens jenkins murray dixon harvey'.split(' ');
const SYLLABLES = 'ash bar bour brad bridge brook burn by cal chester cliff combe cot croft dale den don down ell field ford gate grave ham hart hay holt hurst ing kirk lang ley low mar mere mont more moss nor ock pen ridge rose shaw stead stone ton wick win worth'.split(' ');
const STREET_WORDS = 'acacia albert alexandra beech birch castle chapel church clarence college cromwell elm fern forest garden green grove hawthorn highfield holly king lime linden manor maple meadow mill nelson oak orchard park queen railway rectory school station stanley victoria willow windsor york'.split(' ');
const STREET_TYPES = 'street road avenue lane close drive crescent way grove gardens place terrace'.split(' ');
const TOWNS = 'marlbury kingsford ashdown westcombe eastleigh northam southwold fairhaven riverton oakbridge millbrook stonehill hartley greenfield redcliffe whitby newland brampton elmstead thornbury'.split(' ');
const AREAS = 'LS M B NE S BD L CF EX NR PL SO TS WF HU DN YO CV LE NG'.split(' ');
const LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';
const NICKNAMES: Readonly<Record<string, string>> = {
  william: 'bill', alexander: 'alex', thomas: 'tom', james: 'jim', joseph: 'joe', samuel: 'sam', daniel: 'danny', benjamin: 'ben',
  edward: 'ted', charlotte: 'lottie', elizabeth: 'beth', abigail: 'abbie', isabella: 'bella', eleanor: 'ellie', matilda: 'tilly', jessica: 'jess',
};

interface Person {
  given: string;
  middle: string | null;
  family: string;
  sex: 'female' | 'male';
  birthDate: string;
  nhsNumber: string;
  address: { number: string; street: string; town: string; postcode: string };
}

/** A valid ten-digit NHS number (modulus 11), made up. */
export function syntheticNhsNumber(random: () => number): string {
  for (;;) {
    const digits = Array.from({ length: 9 }, (_, i) => (i === 0 ? 4 + Math.floor(random() * 6) : Math.floor(random() * 10)));
    const total = digits.reduce((sum, digit, i) => sum + digit * (10 - i), 0);
    const check = 11 - (total % 11);
    if (check === 10) continue;
    return `${digits.join('')}${check === 11 ? 0 : check}`;
  }
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function surname(random: () => number): string {
  if (random() < 0.55) return pick(random, COMMON_SURNAMES);
  return `${pick(random, SYLLABLES)}${pick(random, SYLLABLES)}`;
}

function address(random: () => number): Person['address'] {
  const district = AREAS[Math.floor(random() * AREAS.length)] ?? 'LS';
  return {
    number: String(1 + Math.floor(random() * 150)),
    street: `${pick(random, STREET_WORDS)} ${pick(random, STREET_TYPES)}`,
    town: pick(random, TOWNS),
    postcode: `${district}${1 + Math.floor(random() * 30)} ${Math.floor(random() * 10)}${pick(random, [...LETTERS])}${pick(random, [...LETTERS])}`,
  };
}

function birthDate(random: () => number): string {
  const day = new Date(Date.UTC(2008, 0, 1) + Math.floor(random() * 18 * 365.25) * 86_400_000);
  return day.toISOString().slice(0, 10);
}

function typo(random: () => number, text: string): string {
  if (text.length < 3) return text;
  const i = 1 + Math.floor(random() * (text.length - 1));
  const letter = String.fromCharCode(97 + Math.floor(random() * 26));
  switch (Math.floor(random() * 3)) {
    case 0: return text.slice(0, i) + letter + text.slice(i + 1);
    case 1: return text.slice(0, i) + text.slice(i + 1);
    default: return text.slice(0, i - 1) + (text[i] ?? '') + (text[i - 1] ?? '') + text.slice(i + 1);
  }
}

function newPerson(random: () => number): Person {
  const sex = random() < 0.5 ? 'female' : 'male';
  const names = sex === 'female' ? GIRLS : BOYS;
  return {
    given: pick(random, names),
    middle: random() < 0.6 ? pick(random, names) : null,
    family: surname(random),
    sex,
    birthDate: birthDate(random),
    nhsNumber: syntheticNhsNumber(random),
    address: address(random),
  };
}

function twinOf(random: () => number, person: Person): Person {
  const sex = random() < 0.5 ? 'female' : 'male';
  const names = (sex === 'female' ? GIRLS : BOYS).filter((name) => name !== person.given);
  return { ...person, sex, given: pick(random, names), middle: null, nhsNumber: syntheticNhsNumber(random) };
}

/** How an agency might have recorded this person: mostly right, with realistic slips. */
function recordOf(random: () => number, person: Person, id: string, noisy: boolean): PersonRecord {
  let given = person.given;
  let family = person.family;
  let date = person.birthDate;
  let home = person.address;
  if (noisy) {
    const roll = random();
    if (roll < 0.1) given = typo(random, given);
    else if (roll < 0.15) given = NICKNAMES[given] ?? given;
    else if (roll < 0.17) given = given.slice(0, 1);
    if (random() < 0.08) family = typo(random, family);
    else if (random() < 0.05) family = random() < 0.5 ? `${family}-${surname(random)}` : surname(random);
    const dateRoll = random();
    if (dateRoll < 0.03) date = `${date.slice(0, 5)}${date.slice(8, 10)}-${date.slice(5, 7)}`;
    else if (dateRoll < 0.06) date = `${date.slice(0, 9)}${(Number(date.slice(9, 10)) + 1) % 10}`;
    if (random() < 0.1) home = address(random);
  }
  return {
    recordId: id,
    givenNames: person.middle && random() < 0.5 ? [given, person.middle] : [given],
    familyName: noisy && random() < 0.02 ? undefined : family,
    birthDate: date,
    sex: noisy && random() < 0.1 ? undefined : person.sex,
    nhsNumber: random() < (noisy ? 0.6 : 0.8) ? person.nhsNumber : undefined,
    postcode: noisy && random() < 0.08 ? undefined : home.postcode,
    streetNumber: home.number,
    addressLines: [home.street],
    town: home.town,
  };
}

/** About `count` synthetic records of children, with the true person of each for scoring. */
export function syntheticChildren(count: number, seed = 6): LabelledRecords {
  const random = seededRandom(seed);
  const records: PersonRecord[] = [];
  const truePerson: string[] = [];
  let people = 0;
  while (records.length < count) {
    const person = newPerson(random);
    const family = random() < 0.01 ? [person, twinOf(random, person)] : [person];
    for (const child of family) {
      const label = String(people);
      people += 1;
      const copies = 1 + (random() < 0.3 ? 1 + Math.floor(random() * 3) : 0);
      for (let copy = 0; copy < copies && records.length < count; copy += 1) {
        records.push(recordOf(random, child, `syn-${label}-${copy}`, copy > 0));
        truePerson.push(label);
      }
    }
  }
  return { records, truePerson };
}
