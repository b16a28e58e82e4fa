import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.js';

/**
 * Where our own links and redirects point. Only configuration decides it, never a request: the Host
 * header and X-Forwarded-Host are whatever a client (or anyone in front of the proxy) says, and a reset
 * link or redirect built from them would send a user's token to someone else's host.
 *
 * PUBLIC_ORIGIN when set (production must set it, https); otherwise the address this process listens
 * on, as a developer would type it (`0.0.0.0` is reached as `localhost`).
 */
export function publicOriginOf(app: FastifyInstance): string {
  const config: Config = app.config;
  if (config.publicOrigin) return config.publicOrigin;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const listening = app.addresses().find((address) => typeof address === 'object');
  const port = listening?.port ?? config.port;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * Fastify believes X-Forwarded-Host from a trusted proxy when it works out `request.host`. Nothing of
 * ours wants that header, and nothing should be able to start wanting it: it is dropped on arrival.
 */
export function registerForwardedHostRefusal(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    delete request.headers['x-forwarded-host'];
  });
}
