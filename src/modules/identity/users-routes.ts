import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../../platform/http/validate.js';
import { callerOf, ROLE_GROUPS, ROLES, ROLE_LABELS } from '../access/index.js';
import { linkOrigin } from './routes.js';
import type { Identity } from './service.js';

const ownerOnly = { access: { allow: ROLE_GROUPS.companyAdmins } };
const userParams = z.object({ userId: z.string().uuid('is not a user id') });

/** The owner's users page: invite, change role, disable. Every change ends that user's sessions. */
export async function userRoutes(app: FastifyInstance, options: { identity: Identity }): Promise<void> {
  const { identity } = options;

  app.get('/users', { config: ownerOnly }, async (request, reply) => {
    const caller = callerOf(request);
    const users = await identity.listUsers(caller);
    return reply.view('identity/users.njk', {
      title: 'Users',
      users,
      roles: ROLES.map((role) => ({ value: role, label: ROLE_LABELS[role] })),
      roleLabels: ROLE_LABELS,
      requireTwoFactor: await identity.companyRequiresTwoFactor(caller),
    });
  });

  app.post('/users/invite', { config: ownerOnly }, async (request, reply) => {
    const input = parseInput(
      z.object({
        email: z.string().trim().max(254, 'must be at most 254 characters').email('must be an email address'),
        displayName: z.string().trim().min(1, 'is required').max(200, 'must be at most 200 characters'),
        role: z.enum(ROLES, { message: `must be one of ${ROLES.join(', ')}` }),
      }),
      request.body,
    );
    await identity.inviteUser(callerOf(request), input, linkOrigin(request));
    reply.flash('success', `Invitation sent to ${input.email}.`);
    return reply.redirect('/users', 303);
  });

  app.post('/users/:userId/role', { config: ownerOnly }, async (request, reply) => {
    const { userId } = parseInput(userParams, request.params);
    const { role } = parseInput(z.object({ role: z.enum(ROLES, { message: `must be one of ${ROLES.join(', ')}` }) }), request.body);
    await identity.changeRole(callerOf(request), userId, role);
    reply.flash('success', 'Role changed; that user has been signed out.');
    return reply.redirect('/users', 303);
  });

  app.post('/users/:userId/disable', { config: ownerOnly }, async (request, reply) => {
    const { userId } = parseInput(userParams, request.params);
    await identity.setUserStatus(callerOf(request), userId, 'disabled');
    reply.flash('success', 'User disabled and signed out.');
    return reply.redirect('/users', 303);
  });

  app.post('/users/:userId/enable', { config: ownerOnly }, async (request, reply) => {
    const { userId } = parseInput(userParams, request.params);
    await identity.setUserStatus(callerOf(request), userId, 'active');
    reply.flash('success', 'User enabled.');
    return reply.redirect('/users', 303);
  });

  app.post('/users/two-factor-policy', { config: ownerOnly }, async (request, reply) => {
    const { required } = parseInput(z.object({ required: z.enum(['yes', 'no'], { message: 'must be yes or no' }) }), request.body);
    await identity.setTwoFactorPolicy(callerOf(request), required === 'yes');
    reply.flash('success', required === 'yes' ? 'Second factor is now required for owners, HR admins and finance.' : 'Second factor is now optional.');
    return reply.redirect('/users', 303);
  });
}
