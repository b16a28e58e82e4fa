import { createPrivateKey, sign } from 'node:crypto';
import { istDay, istDayBounds } from '../platform/clock/index.js';
import { demoCapture, demoFace, seededBy, type DemoKioskKey } from './faces.js';

/**
 * A day at a demo company's kiosk (`npm run kiosk:simulate`), through the real signed API of a running server:
 * challenge, then recognize with a fresh capture of the employee's synthetic face, signed by the demo kiosk's key.
 *
 * The plan is a realistic day, the same for a company and date on every run: about 8% absent, check-ins spread
 * 08:45–10:30 (some after the grace period, so late), check-outs 17:30–19:30. The API records every punch at the
 * server's clock and refuses a capturedAt more than 60 s off, and that stays so for the demo: the simulator posts,
 * now, the punches the plan has due by now (or by `upTo`), check-ins first, then after the 2-minute merge window
 * the check-outs. So the board shows who came today and who did not, with the times they were actually posted;
 * `--live` keeps running and posts each later punch when its planned time comes.
 */

export interface PlannedPunch {
  code: string;
  direction: 'in' | 'out';
  /** When the plan has it, IST day of `day`. */
  at: Date;
}

export interface DayPlan {
  day: string;
  absent: string[];
  punches: PlannedPunch[];
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));

/** The day's plan for the enrolled employees of `domain` on IST `day`. */
export function planDay(domain: string, enrolled: string[], day: string): DayPlan {
  const random = seededBy(`day:${domain}:${day}`);
  const start = istDayBounds(day).start.getTime();
  const at = (minute: number) => new Date(start + Math.round(minute * 60) * 1000);
  const absent: string[] = [];
  const punches: PlannedPunch[] = [];
  for (const code of enrolled) {
    if (random() < 0.08) {
      absent.push(code);
      continue;
    }
    // Most arrive 08:45–09:45; one in five later, up to 10:30.
    const arrival = random() < 0.8 ? minutes('08:45') + 60 * random() : minutes('09:45') + 45 * random();
    const leaving = minutes('17:30') + 120 * random();
    punches.push({ code, direction: 'in', at: at(arrival) }, { code, direction: 'out', at: at(leaving) });
  }
  punches.sort((a, b) => a.at.getTime() - b.at.getTime());
  return { day, absent, punches };
}

export interface SimulateOptions {
  /** The running server, e.g. http://localhost:3000. */
  url: string;
  key: DemoKioskKey;
  /** Post the punches planned up to this instant (default now). */
  upTo?: Date;
  /** Keep running and post each later punch at its planned time. */
  live?: boolean;
  /** How long to wait before posting check-outs after check-ins (the API merges punches within 2 minutes). */
  mergeWaitMs?: number;
  say?: (line: string) => void;
}

export interface SimulateResult {
  day: string;
  posted: { code: string; planned: string; direction: string; answer: string }[];
  absent: string[];
}

export async function simulateDay(options: SimulateOptions): Promise<SimulateResult> {
  const { url, key } = options;
  const say = options.say ?? (() => {});
  const privateKey = createPrivateKey(key.privateKeyPem);
  const post = async (path: string, payload: object) => {
    const body = JSON.stringify(payload);
    const signature = sign('sha256', Buffer.from(body), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    const res = await fetch(`${url}/api/kiosk/v1/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-kiosk-signature': signature },
      body,
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  const now = new Date();
  const day = istDay(now);
  const plan = planDay(key.domain, key.enrolled, day);
  const upTo = options.upTo ?? now;
  const posted: SimulateResult['posted'] = [];
  let captures = 0;

  async function punch(planned: PlannedPunch) {
    const challenge = await post('challenge', { kioskId: key.kioskId });
    if (challenge.status !== 200) throw new Error(`challenge answered ${challenge.status}: ${JSON.stringify(challenge.json)}`);
    const { nonce, liveness } = challenge.json as { nonce: string; liveness: { challenge: string } };
    // Another look at the camera: a capture 0.08 from the enrolled face, as real returning faces are.
    const embedding = demoCapture(demoFace(key.domain, planned.code), 0.08, `${day}:${planned.code}:${planned.direction}:${captures++}`);
    const answer = await post('recognize', {
      kioskId: key.kioskId,
      nonce,
      capturedAt: new Date().toISOString(),
      embedding,
      liveness: { score: 0.93, method: liveness.challenge },
    });
    const text =
      answer.status === 200 ? `${answer.json.direction} ${String((answer.json.employee as { firstName: string }).firstName)}` : String(answer.json.error);
    const plannedIst = new Date(planned.at.getTime() + 5.5 * 3600_000).toISOString().slice(11, 16);
    posted.push({ code: planned.code, planned: plannedIst, direction: planned.direction, answer: text });
    say(`${planned.code} planned ${plannedIst} IST ${planned.direction.padEnd(3)} → ${text}`);
  }

  const due = plan.punches.filter((p) => p.at.getTime() <= upTo.getTime());
  const later = plan.punches.filter((p) => p.at.getTime() > upTo.getTime());
  const ins = due.filter((p) => p.direction === 'in');
  const outs = due.filter((p) => p.direction === 'out');
  say(`${day}: ${plan.absent.length} absent today; posting ${ins.length} check-ins now (recorded at the server's clock, not the planned time)`);
  for (const planned of ins) await punch(planned);
  if (outs.length > 0) {
    const wait = options.mergeWaitMs ?? 2 * 60_000 + 5000;
    say(`waiting ${Math.round(wait / 1000)} s (punches within 2 minutes merge), then ${outs.length} check-outs`);
    await new Promise((r) => setTimeout(r, wait));
    for (const planned of outs) await punch(planned);
  }
  if (options.live) {
    for (const planned of later) {
      const wait = planned.at.getTime() - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await punch(planned);
    }
  } else if (later.length > 0) {
    say(`${later.length} punches are planned later today: run again then, or with --live to post each at its time`);
  }
  return { day, posted, absent: plan.absent };
}
