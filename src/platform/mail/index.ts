import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Config } from '../../config.js';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

/** Development and tests: each message is a JSON file in `<dataDir>/outbox`, newest last by name. */
export function outboxMailer(dir: string, from: string): Mailer {
  return {
    async send(message) {
      await mkdir(dir, { recursive: true });
      // Machine time on purpose: the name orders the folder (newest last) even while a test holds the business clock still.
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.json`;
      await writeFile(path.join(dir, name), JSON.stringify({ from, ...message, sentAt: new Date().toISOString() }, null, 2), { mode: 0o600 });
    },
  };
}

export async function readOutbox(dir: string): Promise<(MailMessage & { sentAt: string })[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).sort();
  return Promise.all(names.map(async (n) => JSON.parse(await readFile(path.join(dir, n), 'utf8'))));
}

export function outboxDir(config: Pick<Config, 'dataDir'>): string {
  return path.resolve(config.dataDir, 'outbox');
}

/** SMTP in production (Amazon SES's SMTP endpoint in ap-south-1, say) through nodemailer. */
export function createMailer(config: Pick<Config, 'mail' | 'dataDir'>): Mailer {
  if (config.mail.transport === 'outbox') return outboxMailer(outboxDir(config), config.mail.from);
  const transport = nodemailer.createTransport(config.mail.smtpUrl!);
  return {
    async send(message) {
      await transport.sendMail({ from: config.mail.from, ...message });
    },
  };
}
