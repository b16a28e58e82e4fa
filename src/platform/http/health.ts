import type { FastifyInstance } from 'fastify';

/**
 * `/healthz`: the process is up (the container's HEALTHCHECK). `/readyz`: the database answers (the
 * load balancer's target check), so an instance that lost its database leaves the rotation and comes
 * back by itself once the database does.
 */
export function registerHealth(app: FastifyInstance, pingDatabase: () => Promise<void>): void {
  // Public by design: the load balancer and the container runtime call them without a session.
  const config = { access: { public: true as const } };
  app.get('/healthz', { logLevel: 'warn', config }, async () => ({ status: 'ok' }));
  app.get('/readyz', { logLevel: 'warn', config }, async (request, reply) => {
    try {
      await pingDatabase();
      return { status: 'ready', database: 'up' };
    } catch (error) {
      request.log.warn({ err: (error as Error).message }, 'readiness: database unavailable');
      return reply.code(503).send({ status: 'unavailable', database: 'down' });
    }
  });
}
