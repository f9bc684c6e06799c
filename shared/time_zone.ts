/**
 * A lead's time zone from its address when none was given, so follow-ups
 * respect the recipient's night. Country-to-zone data comes from
 * countries-and-timezones (maintained from the IANA database); for the
 * countries that span several zones a region table picks the zone most of a
 * state or province lives in, and without a region the zone stays unknown
 * rather than guessed.
 *
 * @module
 */
import ct from "countries-and-timezones";

// deno-fmt-ignore
/** Where most of each US state, Canadian province and Australian state keeps its clocks. */
const REGIONS: Record<string, Record<string, string>> = {
  US: {
    AL: "America/Chicago", AK: "America/Anchorage", AZ: "America/Phoenix", AR: "America/Chicago",
    CA: "America/Los_Angeles", CO: "America/Denver", CT: "America/New_York", DE: "America/New_York",
    DC: "America/New_York", FL: "America/New_York", GA: "America/New_York", HI: "Pacific/Honolulu",
    ID: "America/Boise", IL: "America/Chicago", IN: "America/Indiana/Indianapolis",
    IA: "America/Chicago", KS: "America/Chicago", KY: "America/New_York", LA: "America/Chicago",
    ME: "America/New_York", MD: "America/New_York", MA: "America/New_York", MI: "America/Detroit",
    MN: "America/Chicago", MS: "America/Chicago", MO: "America/Chicago", MT: "America/Denver",
    NE: "America/Chicago", NV: "America/Los_Angeles", NH: "America/New_York", NJ: "America/New_York",
    NM: "America/Denver", NY: "America/New_York", NC: "America/New_York", ND: "America/Chicago",
    OH: "America/New_York", OK: "America/Chicago", OR: "America/Los_Angeles", PA: "America/New_York",
    RI: "America/New_York", SC: "America/New_York", SD: "America/Chicago", TN: "America/Chicago",
    TX: "America/Chicago", UT: "America/Denver", VT: "America/New_York", VA: "America/New_York",
    WA: "America/Los_Angeles", WV: "America/New_York", WI: "America/Chicago", WY: "America/Denver",
    PR: "America/Puerto_Rico",
  },
  CA: {
    AB: "America/Edmonton", BC: "America/Vancouver", MB: "America/Winnipeg", NB: "America/Moncton",
    NL: "America/St_Johns", NS: "America/Halifax", NT: "America/Yellowknife", NU: "America/Iqaluit",
    ON: "America/Toronto", PE: "America/Halifax", QC: "America/Toronto", SK: "America/Regina",
    YT: "America/Whitehorse",
  },
  AU: {
    ACT: "Australia/Sydney", NSW: "Australia/Sydney", NT: "Australia/Darwin",
    QLD: "Australia/Brisbane", SA: "Australia/Adelaide", TAS: "Australia/Hobart",
    VIC: "Australia/Melbourne", WA: "Australia/Perth",
  },
};

// deno-fmt-ignore
/** Countries with a few zones where one holds nearly everyone (outlying islands aside). */
const MAIN_ZONE: Record<string, string> = {
  DE: "Europe/Berlin", ES: "Europe/Madrid", PT: "Europe/Lisbon", NZ: "Pacific/Auckland",
  NL: "Europe/Amsterdam", FR: "Europe/Paris", DK: "Europe/Copenhagen", EC: "America/Guayaquil",
  CL: "America/Santiago", UA: "Europe/Kyiv", CY: "Asia/Nicosia", MY: "Asia/Kuala_Lumpur",
  KR: "Asia/Seoul", CN: "Asia/Shanghai", AR: "America/Argentina/Buenos_Aires",
};

/**
 * The IANA zone of an address: from its region where the country spans
 * several zones, from the country alone where that is unambiguous, else
 * undefined.
 */
export function timeZoneOf(address: { country?: string; region?: string }): string | undefined {
  const country = address.country?.toUpperCase();
  if (!country) return undefined;
  const region = address.region?.trim().toUpperCase();
  const byRegion = region ? REGIONS[country]?.[region] : undefined;
  if (byRegion) return byRegion;
  if (MAIN_ZONE[country]) return MAIN_ZONE[country];
  const zones = ct.getCountry(country)?.timezones ?? [];
  return zones.length === 1 ? zones[0] : undefined;
}
