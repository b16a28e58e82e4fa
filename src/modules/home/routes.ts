import type { FastifyInstance } from 'fastify';
import { PUBLIC, ROLE_DUTIES } from '../access/index.js';

/** The front door: a landing page for visitors, the dashboard for signed-in users. */
export async function homeRoutes(app: FastifyInstance): Promise<void> {
  app.get('/', { config: { access: PUBLIC } }, async (request, reply) => {
    const viewer = request.viewer;
    if (!viewer) return reply.view('home/index.njk');
    if (viewer.needsTwoFactorSetup) return reply.redirect('/account/two-factor', 303);
    return reply.view('home/dashboard.njk', { title: 'Dashboard', duties: ROLE_DUTIES[viewer.role] });
  });
}
