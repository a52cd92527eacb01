/**
 * Given names that British families and agencies use for the same person:
 * short forms, pet forms and spelling variants (Jo and Joanne, Bill and
 * William, Kez and Kerry). Each line is one group; a name may sit in several
 * groups (Jo is Joanne, Josephine and Joseph).
 *
 * Where the idea comes from: the name-variant tables of FEBRL (Christen,
 * "Data Matching", Springer 2012, chapter 4 on name standardisation), the
 * nickname lists that census record linkage has used (for example the
 * US Census Bureau's and Splink's documentation on name comparisons), and
 * the common forms in the ONS "Baby names in England and Wales" series.
 * The groups below are our own, written from ordinary British usage; no list
 * was copied.
 */
const NICKNAME_GROUPS: readonly string[] = [
  'abigail abi abby abbie gail',
  'adrian ade',
  'agnes aggie nessa',
  'albert al bert bertie',
  'alexander alex alec alick sandy xander lex',
  'alexandra alex alexa lexi lexie sandra sandy sasha',
  'alfred alf alfie fred freddie',
  'alison ali allie',
  'amanda mandy manda',
  'andrew andy drew',
  'angela angie ange',
  'anne ann annie nan nancy',
  'anthony antony tony ant',
  'archibald archie',
  'arthur art artie',
  'barbara barbie babs',
  'benjamin ben benny benji',
  'bernard bernie',
  'beverley bev',
  'bradley brad',
  'bridget bridie biddy',
  'callum cal',
  'cameron cam',
  'caroline carol carrie caz',
  'catherine cath cathy kate katie kath kathy cat kay',
  'katherine kate katie kath kathy kat kay',
  'kathleen kath kathy kay',
  'charles charlie chas chaz chuck',
  'charlotte charlie lottie lotte',
  'christine chris chrissie tina',
  'christina chris chrissie tina',
  'christopher chris kit topher',
  'clifford cliff',
  'colin col',
  'cornelius con neil',
  'cynthia cindy',
  'daniel dan danny',
  'danielle dani ellie',
  'david dave davey davy',
  'deborah debbie debs deb',
  'dennis den',
  'derek del',
  'desmond des',
  'dominic dom',
  'donald don donny',
  'dorothy dot dotty dolly',
  'douglas doug dougie',
  'edward ed eddie ted teddy ned',
  'edmund ed eddie ted ned',
  'eleanor ellie nell nellie elle',
  'elizabeth liz lizzie beth betty bess bessie eliza libby lisa elsie',
  'ellen ellie nell',
  'emily em emmy millie',
  'emma em emmy',
  'eugene gene',
  'frances fran fanny frankie',
  'francis frank frankie fran',
  'frederick fred freddie freddy',
  'gabriel gabe',
  'gabrielle gabby gabi',
  'geoffrey geoff jeff',
  'gerald gerry ged',
  'gerard gerry ged',
  'gillian gill jill gilly',
  'gordon gordie',
  'gregory greg',
  'harold harry hal',
  'harriet hattie harry',
  'henry harry hal hank',
  'herbert herb bert bertie',
  'hubert hugh bert',
  'isaac ike zac',
  'isabel isabelle izzy isla bella belle',
  'isabella izzy bella belle',
  'jacob jake jay',
  'jacqueline jackie jacqui',
  'james jim jimmy jamie jas',
  'jane janey jenny',
  'janet jan janey',
  'jennifer jen jenny jenna',
  'jeremy jerry jez',
  'jessica jess jessie',
  'joanna jo jo-anne joanne',
  'joanne jo jo-anne jojo',
  'john jack johnny jon',
  'jonathan jon jonny nathan',
  'joseph joe joey jo',
  'josephine jo josie jo-jo',
  'joshua josh',
  'judith judy jude',
  'julia jules julie',
  'karen kaz',
  'kenneth ken kenny',
  'kerry kez',
  'kimberley kim kimmy',
  'laurence larry laurie lawrie',
  'lawrence larry laurie lawrie',
  'leonard len lenny leo',
  'leslie les',
  'lesley les',
  'louise lou lulu',
  'louis lou louie',
  'lucy lu lucie',
  'madeline maddie maddy',
  'madison maddie maddy',
  'margaret maggie meg peggy marge margie madge greta rita',
  'marjorie marge margie',
  'martin marty',
  'mary mae may molly polly',
  'matilda tilly tilda',
  'matthew matt matty',
  'michael mike mick micky mikey',
  'michelle shell shelly',
  'nathaniel nat nathan nate',
  'nicholas nick nicky nico',
  'nicola nicky nic nikki',
  'oliver ollie olly',
  'olivia liv livvy ollie',
  'patricia pat patsy trish tricia',
  'patrick pat paddy',
  'peter pete',
  'philip phil pip',
  'phillip phil pip',
  'rebecca becky becca bex',
  'reginald reg reggie',
  'richard rich richie rick ricky dick',
  'robert rob robbie bob bobby bert',
  'roberta bobbie',
  'ronald ron ronnie',
  'rosemary rose rosie',
  'samantha sam sammy',
  'samuel sam sammy',
  'sarah sally sadie sal',
  'sebastian seb',
  'sharon shaz',
  'stephanie steph stevie',
  'stephen steve stevie',
  'steven steve stevie',
  'stuart stu',
  'susan sue susie suzy',
  'suzanne sue susie suzy',
  'terence terry tel',
  'theodore theo ted teddy',
  'thomas tom tommy',
  'timothy tim timmy',
  'valerie val',
  'victoria vicky vicki tori',
  'vincent vince vinny',
  'walter walt wally',
  'william will bill billy liam willie wills',
  'winifred winnie freda',
  'zachary zach zack zac',
];

/** Name → the numbers of the groups it belongs to. */
const GROUPS_BY_NAME: ReadonlyMap<string, readonly number[]> = (() => {
  const byName = new Map<string, number[]>();
  NICKNAME_GROUPS.forEach((line, group) => {
    for (const name of line.split(' ')) {
      const key = name.replace(/[^a-z]/g, '');
      const groups = byName.get(key) ?? [];
      if (!groups.includes(group)) groups.push(group);
      byName.set(key, groups);
    }
  });
  return byName;
})();

/** Groups of known name variants a (lower-case, letters-only) given name belongs to. */
export function nicknameGroups(name: string): readonly number[] {
  return GROUPS_BY_NAME.get(name) ?? [];
}

/** Whether two given names are known forms of the same name (Bill and William). */
export function areNameVariants(a: string, b: string): boolean {
  const groupsA = nicknameGroups(a);
  if (groupsA.length === 0) return false;
  const groupsB = nicknameGroups(b);
  return groupsA.some((group) => groupsB.includes(group));
}
