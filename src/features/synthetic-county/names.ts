/**
 * Name, street and place lists for the synthetic county, drawn with our own
 * seeded PRNG. Given names are grouped by the decade a person was born, in the
 * spirit of the ONS "Baby names in England and Wales" lists; surnames mix the
 * commonest surnames in England and Wales with names from the communities that
 * live in a county like Marlshire. Every place here is fictional.
 */

export const GIVEN_FEMALE_ADULT = [
  'Sarah', 'Emma', 'Laura', 'Rebecca', 'Gemma', 'Claire', 'Lisa', 'Joanne', 'Nicola', 'Kelly', 'Hannah', 'Amy',
  'Rachel', 'Charlotte', 'Jessica', 'Samantha', 'Stacey', 'Danielle', 'Lauren', 'Katie', 'Sophie', 'Jennifer',
  'Michelle', 'Natalie', 'Victoria', 'Kirsty', 'Leanne', 'Zoe', 'Jade', 'Hayley', 'Louise', 'Helen', 'Kerry',
  'Amanda', 'Donna', 'Tracey', 'Karen', 'Alison', 'Catherine', 'Elizabeth', 'Chloe', 'Megan', 'Georgia', 'Holly',
  'Aisha', 'Fatima', 'Sadia', 'Shabana', 'Priya', 'Agnieszka', 'Joanna', 'Grace', 'Abigail', 'Bethany', 'Jodie',
];
export const GIVEN_MALE_ADULT = [
  'David', 'Daniel', 'James', 'Christopher', 'Michael', 'Matthew', 'Andrew', 'Mark', 'Paul', 'Richard', 'Thomas',
  'Adam', 'Robert', 'Lee', 'Craig', 'Jamie', 'Ryan', 'Luke', 'Ben', 'Stephen', 'Simon', 'Jonathan', 'Gareth',
  'Scott', 'Carl', 'Dean', 'Wayne', 'Anthony', 'Steven', 'Kevin', 'Darren', 'Liam', 'Nathan', 'Kieran', 'Jordan',
  'Ashley', 'Shaun', 'Martin', 'Peter', 'John', 'William', 'Joseph', 'Samuel', 'Jack', 'Connor', 'Callum',
  'Mohammed', 'Imran', 'Tariq', 'Arjun', 'Piotr', 'Tomasz', 'Kwame', 'Emeka', 'Aaron', 'Bradley',
];
export const GIVEN_FEMALE_CHILD = [
  'Olivia', 'Amelia', 'Isla', 'Ava', 'Mia', 'Ivy', 'Lily', 'Isabella', 'Rosie', 'Sophia', 'Grace', 'Freya',
  'Willow', 'Florence', 'Emily', 'Ella', 'Poppy', 'Evie', 'Elsie', 'Charlotte', 'Evelyn', 'Sienna', 'Daisy',
  'Phoebe', 'Sophie', 'Harper', 'Matilda', 'Ruby', 'Millie', 'Erin', 'Jessica', 'Chloe', 'Lexi', 'Maisie',
  'Layla', 'Aria', 'Hannah', 'Scarlett', 'Alice', 'Esme', 'Eliza', 'Luna', 'Maryam', 'Zara', 'Aisha', 'Hallie',
  'Mila', 'Lola', 'Bonnie', 'Darcie', 'Holly', 'Megan', 'Summer', 'Niamh', 'Amelie', 'Zainab',
];
export const GIVEN_MALE_CHILD = [
  'Noah', 'Oliver', 'George', 'Arthur', 'Muhammad', 'Leo', 'Harry', 'Oscar', 'Archie', 'Henry', 'Theodore',
  'Freddie', 'Jack', 'Charlie', 'Theo', 'Alfie', 'Jacob', 'Thomas', 'Finley', 'Arlo', 'William', 'Lucas',
  'Roman', 'Tommy', 'Isaac', 'Teddy', 'Alexander', 'Luca', 'Edward', 'James', 'Joshua', 'Albie', 'Elijah',
  'Max', 'Mohammed', 'Reggie', 'Hugo', 'Louie', 'Riley', 'Ethan', 'Jaxon', 'Jenson', 'Logan', 'Mason', 'Dylan',
  'Kai', 'Tyler', 'Harrison', 'Ronnie', 'Bobby', 'Frankie', 'Rory', 'Zachary', 'Ibrahim', 'Yusuf', 'Caleb',
];
export const SURNAMES = [
  'Smith', 'Jones', 'Williams', 'Taylor', 'Brown', 'Davies', 'Evans', 'Wilson', 'Thomas', 'Johnson', 'Roberts',
  'Robinson', 'Thompson', 'Wright', 'Walker', 'White', 'Edwards', 'Hughes', 'Green', 'Hall', 'Lewis', 'Harris',
  'Clarke', 'Patel', 'Jackson', 'Wood', 'Turner', 'Martin', 'Cooper', 'Hill', 'Ward', 'Morris', 'Moore', 'Clark',
  'Lee', 'King', 'Baker', 'Harrison', 'Morgan', 'Allen', 'James', 'Scott', 'Phillips', 'Watson', 'Davis', 'Parker',
  'Price', 'Bennett', 'Young', 'Griffiths', 'Mitchell', 'Kelly', 'Cook', 'Carter', 'Richardson', 'Bailey',
  'Collins', 'Bell', 'Shaw', 'Murphy', 'Miller', 'Cox', 'Richards', 'Khan', 'Marshall', 'Anderson', 'Simpson',
  'Ellis', 'Adams', 'Singh', 'Begum', 'Wilkinson', 'Foster', 'Chapman', 'Powell', 'Webb', 'Rogers', 'Gray',
  'Mason', 'Ali', 'Hunt', 'Hussain', 'Campbell', 'Matthews', 'Owen', 'Palmer', 'Holmes', 'Mills', 'Barnes',
  'Knight', 'Lloyd', 'Butler', 'Russell', 'Barker', 'Fisher', 'Stevens', 'Jenkins', 'Murray', 'Dixon', 'Harvey',
  'Graham', 'Pearson', 'Ahmed', 'Fletcher', 'Walsh', 'Kaur', 'Gibson', 'Howard', 'Andrews', 'Stewart', 'Elliott',
  'Reynolds', 'Saunders', 'Payne', 'Fox', 'Ford', 'Pearce', 'Day', 'Brooks', 'West', 'Lawrence', 'Cole', 'Atkinson',
  'Bradley', 'Spencer', 'Gill', 'Dawson', 'Ball', 'Burton', "O'Brien", 'Watts', 'Rose', 'Booth', 'Perry', 'Ryan',
  'Grant', 'Wells', 'Armstrong', 'Francis', 'Rees', 'Hayes', 'Hart', 'Hudson', 'Newman', 'Barrett', 'Webster',
  'Hunter', 'Gregory', 'Carr', 'Lowe', 'Page', 'Marsh', 'Riley', 'Dunn', 'Woods', 'Parsons', 'Berry', 'Stone',
  'Reid', 'Holland', 'Hawkins', 'Harding', 'Porter', 'Robertson', 'Newton', 'Oliver', 'Reed', 'Kennedy',
  'Williamson', 'Bird', 'Gardner', 'Shah', 'Dean', 'Lane', 'Cooke', 'Bates', 'Henderson', 'Parry', 'Burgess',
  'Bishop', 'Walton', 'Burns', 'Nicholson', 'Shepherd', 'Ross', 'Cross', 'Long', 'Freeman', 'Warren', 'Nicholls',
  'Hamilton', 'Byrne', 'Sutton', 'McDonald', 'Yates', 'Hodgson', 'Robson', 'Curtis', 'Hopkins', "O'Connor",
  'Harper', 'Whitfield', 'Bould', 'Nowak', 'Kowalski', 'Wisniewski', 'Mensah', 'Okafor', 'Osei', 'Begum',
  'Chowdhury', 'Rahman', 'Mahmood', 'Iqbal', 'Akhtar', 'Sharma', 'Kumar', 'Nguyen', 'Popescu', 'Silva',
];

/** Short and familiar forms an agency may record instead of the full given name. */
export const NICKNAMES: Readonly<Record<string, readonly string[]>> = {
  Joanne: ['Jo', 'Joanna'], Jennifer: ['Jen', 'Jenny'], Rebecca: ['Becky', 'Becca'], Samantha: ['Sam', 'Sammy'],
  Elizabeth: ['Liz', 'Beth', 'Lizzie'], Catherine: ['Cath', 'Kate', 'Katherine'], Victoria: ['Vicky', 'Tori'],
  Nicola: ['Nicky', 'Nikki'], Charlotte: ['Charlie', 'Lottie'], Jessica: ['Jess'], Danielle: ['Dani'],
  Natalie: ['Nat'], Stacey: ['Stacy'], Amanda: ['Mandy'], Alison: ['Ali', 'Allison'], Michelle: ['Shell'],
  Gemma: ['Jemma'], Hayley: ['Haley'], Leanne: ['Lee-Anne'], Kirsty: ['Kirstie'], Abigail: ['Abbie', 'Abi'],
  Bethany: ['Beth'], Georgia: ['Georgie'], Sophie: ['Sophia'], Isabella: ['Bella', 'Izzy'], Florence: ['Flo'],
  Matilda: ['Tilly'], Evelyn: ['Evie'], Eliza: ['Elizabeth'], Amelia: ['Millie'], Millie: ['Amelia'],
  Daniel: ['Dan', 'Danny'], David: ['Dave'], James: ['Jim', 'Jimmy', 'Jamie'], Christopher: ['Chris'],
  Michael: ['Mike', 'Mick'], Matthew: ['Matt'], Andrew: ['Andy', 'Drew'], Richard: ['Rich', 'Rick'],
  Thomas: ['Tom', 'Tommy'], Robert: ['Rob', 'Bob', 'Bobby'], Stephen: ['Steve', 'Steven'], Steven: ['Steve', 'Stephen'],
  Jonathan: ['Jon', 'Jonny'], Anthony: ['Tony', 'Ant'], William: ['Will', 'Bill', 'Billy', 'Liam'],
  Joseph: ['Joe', 'Joey'], Samuel: ['Sam', 'Sammy'], Benjamin: ['Ben'], Peter: ['Pete'], Kevin: ['Kev'],
  Bradley: ['Brad'], Nathan: ['Nate'], Alexander: ['Alex', 'Alfie'], Theodore: ['Theo', 'Teddy'],
  Frederick: ['Freddie'], Edward: ['Ed', 'Eddie', 'Ted'], Harrison: ['Harry'], Henry: ['Harry'], Joshua: ['Josh'],
  Zachary: ['Zach', 'Zack'], Muhammad: ['Mohammed', 'Mohammad'], Mohammed: ['Muhammad', 'Mohammad'],
  Elijah: ['Eli'], Oliver: ['Ollie'], Isaac: ['Ike'], Archie: ['Archibald'], Alfie: ['Alfred'], Callum: ['Calum'],
  Connor: ['Conor'], Jamie: ['James'], Lucas: ['Luke'], Reggie: ['Reginald'], Ronnie: ['Ronald'],
  Louie: ['Louis'], Jaxon: ['Jackson'], Tyler: ['Ty'], Freddie: ['Fred', 'Frederick'], Luke: ['Lucas'],
};

/** Towns of Marlshire (E06009999) with their postcode districts in the fictional MR area. */
export const MARLSHIRE_TOWNS = [
  { name: 'Marlbury', districts: [1, 2, 3, 4, 5, 6], weight: 30 },
  { name: 'Kelsworth', districts: [7, 8, 9], weight: 14 },
  { name: 'Brindleford', districts: [10, 11], weight: 11 },
  { name: 'Hatherby', districts: [12, 13], weight: 9 },
  { name: 'Saltcote', districts: [14, 15], weight: 8 },
  { name: 'Thornleigh', districts: [16], weight: 6 },
  { name: 'Dunmere', districts: [17, 18], weight: 7 },
  { name: 'Oxley Green', districts: [19], weight: 5 },
  { name: 'Stavenham', districts: [20, 21], weight: 6 },
  { name: 'Coldbrook', districts: [22], weight: 4 },
] as const;

/** Towns of the neighbouring authority, Wrekinford (E10009998), in the fictional WK area. */
export const WREKINFORD_TOWNS = [
  { name: 'Wrekinford', districts: [1, 2, 3, 4], weight: 50 },
  { name: 'Coalmoor', districts: [5, 6], weight: 25 },
  { name: 'Haddley Bank', districts: [7], weight: 25 },
] as const;

export const STREET_STEMS = [
  'Hartley', 'Furlong', 'Coronation', 'Victoria', 'Albert', 'Station', 'Church', 'Mill', 'Park', 'Queens', 'Kings',
  'Springfield', 'Highfield', 'Meadow', 'Orchard', 'Willow', 'Beech', 'Oak', 'Ash', 'Elm', 'Chestnut', 'Hawthorn',
  'Rowan', 'Laburnum', 'Lime', 'Cedar', 'Poplar', 'Sycamore', 'Holly', 'Ivy', 'Heather', 'Fern', 'Bracken',
  'Brook', 'River', 'Canal', 'Bridge', 'Market', 'Castle', 'Abbey', 'Chapel', 'School', 'Manor', 'Grange',
  'Windsor', 'Balmoral', 'Sandringham', 'Clarence', 'Gladstone', 'Nelson', 'Wellington', 'Marlborough', 'Stanley',
  'Cromwell', 'Milton', 'Shakespeare', 'Chaucer', 'Tennyson', 'Byron', 'Wordsworth', 'Kingsley', 'Hardy', 'Eliot',
  'Fenton', 'Lichfield', 'Liverpool', 'London', 'Newcastle', 'Derby', 'Chester', 'Ludlow', 'Shrewsbury', 'Leek',
  'Cheadle', 'Trent', 'Severn', 'Dove', 'Tame', 'Kestrel', 'Heron', 'Swallow', 'Lark', 'Wren', 'Robin', 'Linnet',
  'Foxglove', 'Bluebell', 'Primrose', 'Cowslip', 'Thistle', 'Clover', 'Daisy', 'Harebell', 'Moorland', 'Hillside',
  'Greenway', 'Broadway', 'Northgate', 'Southgate', 'Westfield', 'Eastfield', 'Longacre', 'Broadmeadow',
  'Blackthorn', 'Whitehall', 'Redhill', 'Greenhill', 'Stonehouse', 'Brickfield', 'Potters', 'Tanners', 'Weavers',
  'Coopers', 'Smiths', 'Foundry', 'Colliery', 'Furnace', 'Forge', 'Wharf', 'Lock', 'Sluice', 'Marl', 'Wrekin',
];
export const STREET_KINDS = [
  'Road', 'Road', 'Road', 'Street', 'Street', 'Lane', 'Avenue', 'Close', 'Close', 'Crescent', 'Drive', 'Way',
  'Grove', 'Place', 'Court', 'Gardens', 'View', 'Rise',
] as const;

/** Letters used in the inward part of UK postcodes (C, I, K, M, O and V are never used there). */
export const POSTCODE_INWARD_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';

export const SCHOOL_STEMS = [
  'St Mary’s', 'St John’s', 'Holy Trinity', 'Oakfield', 'Springfield', 'Meadowside', 'Rowan Brook', 'Willow Bank',
  'Brookside', 'Hillcrest', 'Park Lane', 'Castle View', 'Greenfields', 'Ashgrove', 'Highfield', 'Riverside',
  'Beechwood', 'Millfield', 'Orchard', 'Hollybank', 'Fernhill', 'Larkrise', 'Heathfield', 'Kingsmead', 'Queensway',
];
export const GP_STEMS = [
  'Market Street', 'Fenton Lane', 'Trentside', 'Riverside', 'Castle', 'Abbey', 'Brookfield', 'Parkview',
  'Oakwood', 'Station Road', 'Northgate', 'Southgate', 'Hillside', 'Meadowbank', 'Chapel Street', 'Church Lane',
  'The Old Mill', 'Willowbrook', 'Beacon', 'Moorland', 'Greenway', 'Kingsway', 'Elm Tree', 'Orchard House',
];
