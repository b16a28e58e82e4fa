import proxyAddr from '@fastify/proxy-addr';
import type { Config } from '../../config.js';

export type TrustProxy = (address: string, hop: number) => boolean;

/**
 * Which peers may speak for the client through X-Forwarded-For/-Proto: the configured addresses or
 * CIDRs, or the nearest N hops. One function serves Fastify (client IP, protocol) and the HTTPS
 * redirect, so both agree on who the proxy is.
 */
export function trustedProxy(setting: Config['trustProxy']): TrustProxy {
  if (setting === false) return () => false;
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return proxyAddr.compile(setting.split(',').map((s) => s.trim()));
}
