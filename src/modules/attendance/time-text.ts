import { istDay, type IsoDate } from '../../platform/clock/index.js';

const IST_OFFSET_MS = 330 * 60_000;

/**
 * HH:MM IST of an instant, as the day pages show it, with "(+1)" when it falls on the calendar day after the
 * attendance day it belongs to (a night shift's out in the morning).
 */
export function istClock(at: Date | null, day: IsoDate): string {
  if (!at) return '';
  const time = new Date(at.getTime() + IST_OFFSET_MS).toISOString().slice(11, 16);
  return istDay(at) === day ? time : `${time} (+1)`;
}
