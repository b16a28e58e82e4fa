import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';

/**
 * The demo's synthetic faces and its kiosk's key, shared by the seed (which enrols and pairs) and
 * `npm run kiosk:simulate` (which punches through the real signed API). Synthetic embeddings only: no photo
 * of anyone, deterministic in the company and employee code so both sides make the same face.
 */

/** A small seeded generator (mulberry32) over a string's hash: the demo's faces and its simulated day. */
export function seededBy(text: string): () => number {
  let state = 2166136261;
  for (let i = 0; i < text.length; i++) state = Math.imul(state ^ text.charCodeAt(i), 16777619) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const gaussian = (random: () => number) => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
const unit = (v: number[]) => {
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
};

/** Employee `code` of company `domain`'s face: a random unit vector (different people about 1.4 apart). */
export function demoFace(domain: string, code: string): number[] {
  const random = seededBy(`face:${domain}:${code}`);
  return unit(Array.from({ length: 128 }, () => gaussian(random)));
}

/** Another capture of a face, `distance` away in a random direction (`salt` picks which). */
export function demoCapture(face: number[], distance: number, salt: string): number[] {
  const random = seededBy(`capture:${salt}`);
  const step = unit(Array.from({ length: 128 }, () => gaussian(random)));
  return unit(face.map((x, i) => x + step[i]! * distance));
}

/** The three enrolment samples of an employee, as a kiosk would capture them (0.05 apart from the face). */
export const demoSamples = (domain: string, code: string) => [0, 1, 2].map((k) => demoCapture(demoFace(domain, code), 0.05, `${domain}:${code}:${k}`));

/** What the simulator needs of a company's demo kiosk; the private key never leaves the developer's machine. */
export interface DemoKioskKey {
  domain: string;
  kioskId: string;
  privateKeyPem: string;
  /** Codes of the employees the seed enrolled (the others declined consent). */
  enrolled: string[];
}

export const demoKioskKeyPath = (config: Pick<Config, 'dataDir'>, domain: string) => path.join(config.dataDir, 'demo-kiosks', `${domain}.json`);

/**
 * Saves a demo kiosk's private key under the data folder. Development and tests only: a production server
 * never holds a kiosk's private key (a kiosk's key is its identity), so this refuses there, whoever calls it.
 */
export function saveDemoKioskKey(config: Pick<Config, 'dataDir' | 'isProduction'>, key: DemoKioskKey): string {
  if (config.isProduction) throw new Error('a demo kiosk key is never written in production');
  const file = demoKioskKeyPath(config, key.domain);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, JSON.stringify(key, null, 2), { mode: 0o600 });
  return file;
}

export function readDemoKioskKey(config: Pick<Config, 'dataDir'>, domain: string): DemoKioskKey | undefined {
  try {
    return JSON.parse(readFileSync(demoKioskKeyPath(config, domain), 'utf8')) as DemoKioskKey;
  } catch {
    return undefined;
  }
}
