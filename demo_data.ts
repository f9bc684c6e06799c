/**
 * The sample data `deno task demo` plays through the actors: a seeded,
 * deterministic plan of leads (who, from where, when) and what happens to each
 * afterwards. The same seed gives the same plan, so the idempotency keys of a
 * second run match the first and nothing is captured twice.
 *
 * @module
 */
import type { LeadSource, LeadStatus } from "./shared/lead.ts";
import type { CampaignDefinitionInput } from "./shared/campaign.ts";

/** A seeded pseudo-random generator (mulberry32): the same seed, the same sequence. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = [
  "Maria",
  "James",
  "Aisha",
  "Tom",
  "Sofia",
  "Liam",
  "Chen",
  "Olivia",
  "Raj",
  "Emma",
  "Diego",
  "Grace",
  "Noah",
  "Fatima",
  "Lucas",
  "Hannah",
  "Omar",
  "Chloe",
  "Ben",
  "Yuki",
  "Ella",
  "Sam",
];
const LAST = [
  "Garcia",
  "Smith",
  "Khan",
  "Nguyen",
  "Rossi",
  "Murphy",
  "Wang",
  "Brown",
  "Patel",
  "Miller",
  "Lopez",
  "Kim",
  "Walker",
  "Haddad",
  "Silva",
  "Cohen",
  "Ali",
  "Taylor",
  "Novak",
  "Reyes",
];
const BUSINESSES: Array<{ type: string; words: string[] }> = [
  { type: "plumber", words: ["Plumbing", "Pipe & Drain", "Flow Plumbing"] },
  { type: "dentist", words: ["Dental", "Smile Studio", "Family Dentistry"] },
  { type: "salon", words: ["Hair Salon", "Beauty Bar", "Cuts & Color"] },
  { type: "electrician", words: ["Electric", "Wiring Co", "Sparks Electrical"] },
  { type: "restaurant", words: ["Kitchen", "Bistro", "Taqueria"] },
  { type: "landscaper", words: ["Landscaping", "Lawn & Garden", "Green Yards"] },
  { type: "roofer", words: ["Roofing", "Roof Pros", "Top Roofing"] },
  { type: "gym", words: ["Fitness", "Strength Gym", "Yoga Studio"] },
];
const CITIES: Array<{ city: string; region: string; postcode: string; area: string }> = [
  { city: "Austin", region: "TX", postcode: "78701", area: "512" },
  { city: "Denver", region: "CO", postcode: "80202", area: "303" },
  { city: "Portland", region: "OR", postcode: "97204", area: "503" },
  { city: "Columbus", region: "OH", postcode: "43215", area: "614" },
  { city: "Raleigh", region: "NC", postcode: "27601", area: "919" },
  { city: "Phoenix", region: "AZ", postcode: "85004", area: "602" },
  { city: "Tampa", region: "FL", postcode: "33602", area: "813" },
];
/** Sources with their weights: most leads come from the widget. */
const SOURCES: Array<[LeadSource, number]> = [
  ["widget", 40],
  ["rest", 20],
  ["csv", 20],
  ["inbound_sms", 12],
  ["inbound_email", 8],
];
const ASKS = [
  "Can you build us a website? We only have a Facebook page.",
  "Looking for a quote on a new site with online booking.",
  "Our site is slow and looks dated, can you help?",
  "Do you do Google Business profiles and reviews?",
  "How much for a simple one-page site?",
];

/** Where a lead ends up, and the steps it takes on the way. */
export interface LeadStory {
  /** The deterministic idempotency key of its capture. */
  key: string;
  /** When it is captured, epoch ms. */
  at: number;
  capture: {
    idempotencyKey: string;
    source: LeadSource;
    contact: Record<string, unknown>;
    message?: string;
    tags: string[];
    consent: Array<{ channel: "sms" | "email"; granted: boolean; source: string }>;
  };
  /** Status moves after the capture, each at `at + afterMs`. */
  moves: Array<{ afterMs: number; status: LeadStatus; valueCents?: number; reason?: string }>;
  /** Whether we write to them, and whether they write back. */
  outbound: boolean;
  replies: boolean;
  /** A follow-up task for the team, and a booked call. */
  task: boolean;
  booking: boolean;
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** The plan: `count` leads spread over `days` days ending at `end`, in capture order. */
export function planLeads(seed: number, count: number, days: number, end: number): LeadStory[] {
  const rnd = seeded(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const start = end - days * DAY;
  const stories: LeadStory[] = [];
  const businesses = new Set<string>();
  for (let i = 0; i < count; i++) {
    // Later days get a little more traffic: a business that grows.
    const at = Math.floor(start + Math.sqrt(rnd()) * (days * DAY - 2 * HOUR));
    const first = pick(FIRST);
    const last = pick(LAST);
    const biz = pick(BUSINESSES);
    const place = pick(CITIES);
    const company = `${last} ${pick(biz.words)}`;
    // A company and postcode identify a business: give each sample lead its own, so none merge.
    let postcode = place.postcode;
    for (let n = 1; businesses.has(`${company}|${postcode}`); n++) {
      postcode = String(Number(place.postcode) + n);
    }
    businesses.add(`${company}|${postcode}`);
    const source = weighted(rnd, SOURCES);
    const key = `demo-${seed}-${i}`;
    // Unique per lead, so no two sample leads are deduplicated into one.
    const phone = `+1${place.area}${String(2_000_000 + i * 7).slice(0, 7)}`;
    const email = `${first}.${last}${i}@example.com`.toLowerCase();
    const noWebsite = rnd() < 0.4;
    const contact: Record<string, unknown> = {
      name: `${first} ${last}`,
      company,
      businessType: biz.type,
      address: { city: place.city, region: place.region, postcode, country: "US" },
      rating: Math.round((3 + rnd() * 2) * 10) / 10,
      reviewCount: Math.floor(rnd() * 300),
      website: noWebsite ? null : `https://${last.toLowerCase()}${i}.example.com`,
    };
    // Inbound messages know only the sender's number or address.
    if (source !== "inbound_email") contact.phone = phone;
    if (source !== "inbound_sms") contact.email = email;
    const message = source === "csv" ? undefined : pick(ASKS);
    const tags = [
      biz.type,
      ...(rnd() < 0.3 ? ["promo"] : []),
      ...(noWebsite ? ["no-website"] : []),
    ];
    const capture = {
      idempotencyKey: key,
      source,
      contact,
      ...(message ? { message } : {}),
      tags,
      consent: source === "csv" ? [] : [
        { channel: "email" as const, granted: true, source: "demo form" },
        { channel: "sms" as const, granted: true, source: "demo form" },
      ],
    };
    stories.push({ key, at, capture, ...progress(rnd, at, end), task: false, booking: false });
    const s = stories[stories.length - 1]!;
    const reached = s.moves.map((m) => m.status);
    s.task = reached.includes("responded") && rnd() < 0.5;
    s.booking = reached.includes("meeting_scheduled");
  }
  return stories.sort((a, b) => a.at - b.at);
}

/** How far a lead gets in the funnel; nothing happens after `end`. */
function progress(rnd: () => number, at: number, end: number) {
  const moves: LeadStory["moves"] = [];
  let t = 0;
  const step = (status: LeadStatus, extra: Partial<LeadStory["moves"][0]> = {}) => {
    t += Math.floor((2 + rnd() * 46) * HOUR);
    if (at + t < end) moves.push({ afterMs: t, status, ...extra });
  };
  const outbound = rnd() < 0.85;
  let replies = false;
  if (outbound) {
    step("contacted");
    replies = rnd() < 0.55;
    if (replies) {
      step("responded");
      if (rnd() < 0.6) {
        step("qualified");
        if (rnd() < 0.6) {
          step("meeting_scheduled");
          const r = rnd();
          if (r < 0.55) step("won", { valueCents: 50_000 + Math.floor(rnd() * 40) * 10_000 });
          else if (r < 0.8) step("lost", { reason: "went with another agency" });
        } else if (rnd() < 0.4) step("lost", { reason: "no budget this year" });
      }
    } else if (rnd() < 0.15) step("lost", { reason: "no answer" });
  }
  return { moves, outbound, replies };
}

function weighted<T>(rnd: () => number, items: Array<[T, number]>): T {
  const total = items.reduce((a, [, w]) => a + w, 0);
  let r = rnd() * total;
  for (const [item, w] of items) {
    if ((r -= w) < 0) return item;
  }
  return items[items.length - 1]![0];
}

/** The demo team: sales and support, with working hours for bookings. */
export const DEMO_TEAM = [
  { id: "ana", name: "Ana Torres", email: "ana@example.com", types: ["sales"], weight: 2 },
  { id: "ben", name: "Ben Okafor", email: "ben@example.com", types: ["sales", "support"] },
  { id: "cleo", name: "Cleo Park", email: "cleo@example.com", types: ["support", "technical"] },
] as const;

/** Campaign one: an SMS, then an email to those who did not reply, for leads gone quiet. */
export const WIN_BACK: CampaignDefinitionInput = {
  name: "Win back quiet leads",
  audience: { statuses: ["contacted"], silentForHours: 72 },
  steps: [
    {
      channel: "sms",
      delayMinutes: 0,
      variants: [{
        template:
          "Hi {{firstName}}, still thinking about a new website? Reply YES for a free mockup.",
      }],
    },
    {
      channel: "email",
      delayMinutes: 60 * 24 * 3,
      variants: [{
        subject: "A free mockup for {{company}}",
        template: "Hi {{firstName}}, we sketched an idea for {{company}}. Want to see it?",
      }],
      when: { signal: "replied", is: false },
    },
  ],
};

/** Campaign two: an A/B-tested email to businesses without a website. */
export const NO_WEBSITE: CampaignDefinitionInput = {
  name: "No website yet: spring offer",
  audience: { tagsAny: ["no-website", "promo"] },
  split: [50, 50],
  steps: [{
    channel: "email",
    delayMinutes: 0,
    variants: [
      {
        subject: "{{company}} online in 7 days",
        template: "Hi {{firstName}}, we can get {{company}} online within a week.",
      },
      {
        subject: "Customers are searching for you",
        template: "Hi {{firstName}}, people search for a {{businessType}} near them every day.",
      },
    ],
  }],
};
