// Where the synthetic sales happen: region -> area -> country -> cities. One table, so filters, field descriptions
// and questions always agree (Zurich is in Switzerland, in the DACH area, in Europe).

export interface Place {
  region: string;
  area: string;
  country: string;
  cities: string[];
}

export const PLACES: Place[] = [
  { region: 'Europe', area: 'DACH', country: 'Germany', cities: ['Berlin', 'Munich', 'Hamburg'] },
  { region: 'Europe', area: 'DACH', country: 'Austria', cities: ['Vienna'] },
  { region: 'Europe', area: 'DACH', country: 'Switzerland', cities: ['Zurich'] },
  { region: 'Europe', area: 'Nordics', country: 'Sweden', cities: ['Stockholm'] },
  { region: 'Europe', area: 'Nordics', country: 'Denmark', cities: ['Copenhagen'] },
  { region: 'Europe', area: 'Nordics', country: 'Norway', cities: ['Oslo'] },
  { region: 'Europe', area: 'Benelux', country: 'Netherlands', cities: ['Amsterdam', 'Rotterdam'] },
  { region: 'Europe', area: 'Benelux', country: 'Belgium', cities: ['Brussels'] },
  { region: 'Europe', area: 'Southern Europe', country: 'Spain', cities: ['Madrid', 'Barcelona'] },
  { region: 'Europe', area: 'Southern Europe', country: 'Italy', cities: ['Milan', 'Rome'] },
  { region: 'Europe', area: 'Western Europe', country: 'France', cities: ['Paris', 'Lyon'] },
  { region: 'Europe', area: 'Western Europe', country: 'United Kingdom', cities: ['London', 'Manchester'] },
  { region: 'North America', area: 'US East', country: 'United States', cities: ['New York', 'Boston'] },
  { region: 'North America', area: 'US West', country: 'United States', cities: ['San Francisco', 'Seattle'] },
  { region: 'North America', area: 'Canada', country: 'Canada', cities: ['Toronto', 'Vancouver'] },
  { region: 'Latin America', area: 'South America', country: 'Brazil', cities: ['Sao Paulo'] },
  { region: 'Latin America', area: 'South America', country: 'Argentina', cities: ['Buenos Aires'] },
  { region: 'Latin America', area: 'Central America', country: 'Mexico', cities: ['Mexico City'] },
  { region: 'Asia Pacific', area: 'East Asia', country: 'Japan', cities: ['Tokyo', 'Osaka'] },
  { region: 'Asia Pacific', area: 'East Asia', country: 'South Korea', cities: ['Seoul'] },
  { region: 'Asia Pacific', area: 'Oceania', country: 'Australia', cities: ['Sydney', 'Melbourne'] },
  { region: 'Asia Pacific', area: 'South Asia', country: 'India', cities: ['Mumbai', 'Bangalore'] },
  { region: 'Asia Pacific', area: 'Southeast Asia', country: 'Singapore', cities: ['Singapore'] },
  { region: 'Middle East & Africa', area: 'Middle East', country: 'United Arab Emirates', cities: ['Dubai'] },
  { region: 'Middle East & Africa', area: 'Africa', country: 'South Africa', cities: ['Johannesburg', 'Cape Town'] },
  { region: 'Middle East & Africa', area: 'Africa', country: 'Nigeria', cities: ['Lagos'] },
];

const unique = (xs: string[]): string[] => [...new Set(xs)];
export const REGIONS = unique(PLACES.map((p) => p.region));
export const AREAS = unique(PLACES.map((p) => p.area));
export const COUNTRIES = unique(PLACES.map((p) => p.country));
export const CITIES = unique(PLACES.flatMap((p) => p.cities));
