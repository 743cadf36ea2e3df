/**
 * What the routers should know: each app's Host names (its default host and custom domains)
 * and the endpoints of its web processes that are up. Pure.
 */
import type { AppRoutesMessage, ProcessStatus } from '@paas/shared';

export function routeTable(
  apps: { id: string; name: string }[],
  domains: { app_id: string; hostname: string }[],
  statuses: ProcessStatus[],
  domain: string,
): AppRoutesMessage[] {
  return apps.map((app) => ({
    app: app.name,
    hosts: [`${app.name}.${domain}`, ...domains.filter((d) => d.app_id === app.id).map((d) => d.hostname)],
    endpoints: statuses
      .filter((s) => s.appId === app.id && s.type === 'web' && s.state === 'up' && s.endpoint)
      .map((s) => ({ host: s.endpoint?.host ?? '', port: s.endpoint?.port ?? 0, name: s.name }))
      .sort((a, b) => a.port - b.port),
  }));
}
