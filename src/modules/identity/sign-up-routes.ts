import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../../platform/http/validate.js';
import { Invalid } from '../../platform/errors.js';
import { PUBLIC } from '../access/index.js';
import { email, linkOrigin, newPassword, passwordRules } from './routes.js';
import type { Identity } from './service.js';

const signUpForm = z.object({
  companyName: z.string().trim().min(2, 'is required').max(200, 'must be at most 200 characters'),
  domain: z
    .string()
    .trim()
    .toLowerCase()
    .max(190)
    .regex(/^(?=.{3,190}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$/, 'must be your company’s email domain, like acme.in'),
  displayName: z.string().trim().min(1, 'is required').max(200, 'must be at most 200 characters'),
  email,
  password: newPassword,
});
const tokenQuery = z.object({ token: z.string().min(10, 'is missing').max(100, 'is not valid') });

/** Sign-up, then "check your email", then the owner's confirmation link (a POST: mail scanners follow GET links). */
export async function signUpRoutes(app: FastifyInstance, options: { identity: Identity }): Promise<void> {
  const { identity } = options;

  app.get('/signup', { config: { access: PUBLIC } }, async (_request, reply) =>
    reply.view('identity/signup.njk', { title: 'Create your company', passwordRules }),
  );

  app.post('/signup', { config: { access: PUBLIC } }, async (request, reply) => {
    const input = parseInput(signUpForm, request.body);
    if (!input.email.toLowerCase().endsWith(`@${input.domain}`)) throw new Invalid('email', 'must be at your company’s domain');
    await identity.signUp(input, linkOrigin(request), request.context);
    reply.flash('success', `We have sent a link to ${input.email}. Open it to start using Bizlumo HR.`);
    return reply.redirect('/signup/check-email', 303);
  });

  app.get('/signup/check-email', { config: { access: PUBLIC } }, async (_request, reply) =>
    reply.view('identity/check-email.njk', { title: 'Check your email' }),
  );

  app.post('/signup/resend', { config: { access: PUBLIC } }, async (request, reply) => {
    const input = parseInput(z.object({ email }), request.body);
    await identity.resendConfirmation(input.email, linkOrigin(request), request.context);
    reply.flash('info', 'If that address is waiting for confirmation, a new link is on its way. It works once, for 24 hours.');
    return reply.redirect('/signup/check-email', 303);
  });

  app.get('/signup/confirm', { config: { access: PUBLIC } }, async (request, reply) => {
    const { token } = parseInput(tokenQuery, request.query);
    const usable = await identity.checkConfirmLink(token);
    reply.header('referrer-policy', 'no-referrer');
    return reply.code(usable ? 200 : 400).view('identity/confirm.njk', { title: 'Confirm your company account', token, usable });
  });

  app.post('/signup/confirm', { config: { access: PUBLIC } }, async (request, reply) => {
    const { token } = parseInput(tokenQuery, request.body);
    await identity.confirmSignUp(token, request.context);
    reply.flash('success', 'Your address is confirmed and your company is ready. Please sign in.');
    return reply.redirect('/login', 303);
  });
}
