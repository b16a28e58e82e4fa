import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../../platform/http/validate.js';
import { HOST_COOKIE } from '../../platform/http/cookies.js';
import { publicOriginOf } from '../../platform/http/origin.js';
import { Invalid, Unauthorized, type FieldProblem } from '../../platform/errors.js';
import { can, callerOf, PUBLIC, ROLE_GROUPS } from '../access/index.js';
import { MIN_PASSWORD_LENGTH, MAX_PASSWORD_CHARS } from './passwords.js';
import { SESSION_COOKIE } from './sessions.js';
import { SESSION_SECONDS } from './tokens.js';
import { BAD_CREDENTIALS, type Identity } from './service.js';
import { ADDRESS_IN_USE } from './password-links.js';

export const DEVICE_COOKIE = '__Host-device';
const MFA_COOKIE = '__Host-mfa';

// Limits are checked before any bcrypt work: an overlong field is a 400, not a CPU bill.
export const email = z.string().trim().min(3, 'is required').max(254, 'must be at most 254 characters').email('must be an email address');
const password = z.string().min(1, 'is required').max(MAX_PASSWORD_CHARS, `must be at most ${MAX_PASSWORD_CHARS} characters`);
export const newPassword = z.string().max(MAX_PASSWORD_CHARS, `must be at most ${MAX_PASSWORD_CHARS} characters`);

const loginForm = z.object({ email, password, next: z.string().max(2000).optional() });
const codeForm = z.object({ code: z.string().trim().min(1, 'is required').max(20, 'is too long') });

/** Only same-site paths: `next=//evil.example` or `next=https://…` would be an open redirect. */
export function safeNext(next: string | undefined): string {
  return next && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) ? next : '/';
}

/** Where links in emails point: our configured origin, never the request's Host. */
export function linkOrigin(request: FastifyRequest): string {
  return publicOriginOf(request.server);
}

export function setSessionCookie(reply: FastifyReply, token: string) {
  reply.setCookie(SESSION_COOKIE, token, { ...HOST_COOKIE, maxAge: SESSION_SECONDS });
}

/** A finished sign-in: the session, and the device cookie that later exempts this browser from IP blocks. */
function setSignedInCookies(reply: FastifyReply, result: { token: string; deviceToken: string }) {
  setSessionCookie(reply, result.token);
  reply.setCookie(DEVICE_COOKIE, result.deviceToken, { ...HOST_COOKIE, maxAge: 365 * 24 * 3600 });
}

export const passwordRules = { minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_CHARS };

interface TwoFactorPageState {
  setup?: { secret: string; svg: string };
  recoveryCodes?: string[];
  replaced?: boolean;
  problems?: FieldProblem[];
}

/** A form's problems to show on its page; anything but bad input goes on to the error handler. */
function problemsOf(error: unknown): FieldProblem[] {
  if (error instanceof Invalid) return error.problems;
  throw error;
}

export async function identityRoutes(app: FastifyInstance, options: { identity: Identity }): Promise<void> {
  const { identity } = options;

  app.get('/login', { config: { access: PUBLIC } }, async (request, reply) => {
    if (request.viewer) return reply.redirect('/', 303);
    const { next } = request.query as { next?: string };
    return reply.view('identity/login.njk', { title: 'Sign in', next: safeNext(next) });
  });

  app.post('/login', { config: { access: PUBLIC } }, async (request, reply) => {
    const input = parseInput(loginForm, request.body);
    try {
      const result = await identity.signIn({ ...input, deviceToken: request.cookies[DEVICE_COOKIE] }, request.context);
      if (result.kind === 'unconfirmed') return reply.code(403).view('identity/check-email.njk', { title: 'Check your email', email: result.email });
      if (result.kind === 'second-factor') {
        reply.setCookie(MFA_COOKIE, result.pendingToken, { ...HOST_COOKIE, maxAge: 300 });
        return reply.redirect(`/login/second-factor?next=${encodeURIComponent(safeNext(input.next))}`, 303);
      }
      setSignedInCookies(reply, result);
      return reply.redirect(safeNext(input.next), 303);
    } catch (error) {
      if (!(error instanceof Unauthorized)) throw error;
      return reply.code(401).view('identity/login.njk', { title: 'Sign in', error: BAD_CREDENTIALS, email: input.email, next: safeNext(input.next) });
    }
  });

  app.get('/login/second-factor', { config: { access: PUBLIC } }, async (request, reply) => {
    const { next } = request.query as { next?: string };
    return reply.view('identity/second-factor.njk', { title: 'Second factor', next: safeNext(next) });
  });

  app.post('/login/second-factor', { config: { access: PUBLIC } }, async (request, reply) => {
    const input = parseInput(codeForm.extend({ next: z.string().max(2000).optional() }), request.body);
    try {
      const pendingToken = request.cookies[MFA_COOKIE];
      const result = await identity.completeSecondFactor({ pendingToken, code: input.code, deviceToken: request.cookies[DEVICE_COOKIE] }, request.context);
      reply.clearCookie(MFA_COOKIE, HOST_COOKIE);
      setSignedInCookies(reply, result);
      return reply.redirect(safeNext(input.next), 303);
    } catch (error) {
      if (error instanceof Invalid) {
        return reply.code(400).view('identity/second-factor.njk', { title: 'Second factor', problems: error.problems, next: safeNext(input.next) });
      }
      throw error;
    }
  });

  app.post('/logout', { config: { access: { signedIn: true, duringTwoFactorSetup: true } } }, async (request, reply) => {
    await identity.signOut(callerOf(request));
    reply.clearCookie(SESSION_COOKIE, HOST_COOKIE);
    reply.header('clear-site-data', '"cache", "storage"');
    reply.flash('info', 'You have signed out.');
    return reply.redirect('/login', 303);
  });

  app.get('/password/forgot', { config: { access: PUBLIC } }, async (_request, reply) => reply.view('identity/forgot.njk', { title: 'Forgot password' }));

  app.post('/password/forgot', { config: { access: PUBLIC } }, async (request, reply) => {
    const input = parseInput(z.object({ email }), request.body);
    await identity.requestPasswordReset({ email: input.email, deviceToken: request.cookies[DEVICE_COOKIE] }, linkOrigin(request), request.context);
    reply.flash('info', 'If that email has an account, a reset link is on its way. It works once, for 30 minutes.');
    return reply.redirect('/login', 303);
  });

  app.get('/password/reset', { config: { access: PUBLIC } }, async (request, reply) => {
    const { token } = parseInput(z.object({ token: z.string().min(10, 'is missing').max(100, 'is not valid') }), request.query);
    const state = await identity.checkPasswordLink(token);
    reply.header('referrer-policy', 'no-referrer');
    const status = { usable: 200, dead: 400, 'address-in-use': 409 }[state];
    return reply.code(status).view('identity/reset.njk', { title: 'Choose a password', token, state, addressInUse: ADDRESS_IN_USE, passwordRules });
  });

  app.post('/password/reset', { config: { access: PUBLIC } }, async (request, reply) => {
    const input = parseInput(z.object({ token: z.string().min(10).max(100), newPassword }), request.body);
    await identity.resetPassword(input, request.context);
    reply.flash('success', 'Your password is set. Please sign in.');
    return reply.redirect('/login', 303);
  });

  app.get('/account', { config: { access: { signedIn: true } } }, async (request, reply) => {
    const caller = callerOf(request);
    return reply.view('identity/account.njk', {
      title: 'My account',
      mayUseTwoFactor: can(caller.viewer, 'account.useSecondFactor'),
      recoveryCodesLeft: caller.viewer.twoFactorEnabled ? await identity.remainingRecoveryCodes(caller) : 0,
      passwordRules,
    });
  });

  app.post('/account/password', { config: { access: { signedIn: true } } }, async (request, reply) => {
    const input = parseInput(z.object({ currentPassword: password, newPassword }), request.body);
    const { token } = await identity.changePassword(callerOf(request), input);
    setSessionCookie(reply, token);
    reply.flash('success', 'Password changed. You have been signed out everywhere else.');
    return reply.redirect('/account', 303);
  });

  app.post('/account/sign-out-everywhere', { config: { access: { signedIn: true } } }, async (request, reply) => {
    await identity.signOutEverywhere(callerOf(request));
    reply.clearCookie(SESSION_COOKIE, HOST_COOKIE);
    reply.flash('info', 'You have been signed out on every device.');
    return reply.redirect('/login', 303);
  });

  const twoFactorRule = { access: { allow: ROLE_GROUPS.secondFactor, duringTwoFactorSetup: true } };
  // A first set-up asks for the password; a replacement for the password and a code (the service checks which).
  const proofForm = z.object({ password: password.optional(), code: codeForm.shape.code.optional() });

  /** The second-factor page in one of its states; a refused form comes back with its problems and a 400. */
  async function twoFactorPage(request: FastifyRequest, reply: FastifyReply, state: TwoFactorPageState = {}) {
    const caller = callerOf(request);
    return reply.code(state.problems ? 400 : 200).view('identity/two-factor.njk', {
      title: 'Second factor',
      required: caller.viewer.needsTwoFactorSetup,
      mayTurnOff: caller.viewer.twoFactorEnabled && (await identity.mayTurnOffTotp(caller)),
      ...state,
    });
  }

  app.get('/account/two-factor', { config: twoFactorRule }, async (request, reply) => twoFactorPage(request, reply));

  app.post('/account/two-factor/begin', { config: twoFactorRule }, async (request, reply) => {
    try {
      const setup = await identity.beginTotp(callerOf(request), parseInput(proofForm, request.body));
      return await twoFactorPage(request, reply, { setup });
    } catch (error) {
      return twoFactorPage(request, reply, { problems: problemsOf(error) });
    }
  });

  app.post('/account/two-factor/confirm', { config: twoFactorRule }, async (request, reply) => {
    try {
      const { code } = parseInput(codeForm, request.body);
      return await twoFactorPage(request, reply, await identity.confirmTotp(callerOf(request), code));
    } catch (error) {
      return twoFactorPage(request, reply, { problems: problemsOf(error), setup: await identity.pendingTotpSetup(callerOf(request)) });
    }
  });

  app.post('/account/two-factor/disable', { config: { access: { allow: ROLE_GROUPS.secondFactor } } }, async (request, reply) => {
    try {
      await identity.disableTotp(callerOf(request), parseInput(proofForm, request.body));
    } catch (error) {
      return twoFactorPage(request, reply, { problems: problemsOf(error) });
    }
    reply.flash('info', 'Second factor turned off.');
    return reply.redirect('/account', 303);
  });
}
