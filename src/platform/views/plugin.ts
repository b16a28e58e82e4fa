import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type nunjucks from 'nunjucks';
import { csrfTokenFor } from '../http/csrf.js';
import { takeFlash } from '../http/flash.js';

export interface NavItem {
  href: string;
  label: string;
}

export interface ViewOptions {
  env: nunjucks.Environment;
  /** Locals every page needs that only the modules know (who is signed in, what they may open). */
  pageContext: (request: FastifyRequest) => { viewer?: unknown; nav: NavItem[] } | Promise<{ viewer?: unknown; nav: NavItem[] }>;
}

declare module 'fastify' {
  interface FastifyReply {
    view(template: string, data?: Record<string, unknown>): Promise<FastifyReply>;
  }
}

/** `reply.view(template, data)`: renders with the layout's locals (CSRF token, flash, navigation). */
export const viewsPlugin = fp(async (app: FastifyInstance, options: ViewOptions) => {
  app.decorateReply('view', async function view(this: FastifyReply, template: string, data: Record<string, unknown> = {}) {
    const request = this.request;
    const page = await options.pageContext(request);
    const locals = {
      ...page,
      csrfToken: csrfTokenFor(this),
      flash: takeFlash(request, this),
      currentPath: request.url.split('?')[0],
      requestId: request.id,
      ...data,
    };
    const html = await new Promise<string>((resolve, reject) =>
      options.env.render(template, locals, (error, result) => (error ? reject(error) : resolve(result ?? ''))),
    );
    return this.type('text/html; charset=utf-8').send(html);
  });
});
