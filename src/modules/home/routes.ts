import type { FastifyInstance } from 'fastify';

/** The front door: what a visitor sees before signing in. */
export async function homeRoutes(app: FastifyInstance): Promise<void> {
  app.get('/', async (_request, reply) => reply.view('home/index.njk'));
}
