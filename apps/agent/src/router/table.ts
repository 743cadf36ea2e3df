/**
 * The router's table: Host → app → its web endpoints. Pure. Endpoints are taken round-robin;
 * ones marked draining (about to be stopped on this host) get no new requests.
 */
export interface Endpoint {
  host: string;
  port: number;
  /** The process behind it, for router log lines (web.1). */
  name: string;
}

export interface AppRoutes {
  app: string;
  hosts: string[];
  endpoints: Endpoint[];
}

export class RouteTable {
  private byHost = new Map<string, AppRoutes>();
  private readonly next = new Map<string, number>();
  /** Endpoints of containers about to be stopped on this host, by container id. */
  private readonly draining = new Map<string, string>();
  /** Web processes of this host seen up, by app: routed at once, before the api's table has them. */
  private local = new Map<string, Endpoint[]>();

  replace(routes: AppRoutes[]): void {
    const byHost = new Map<string, AppRoutes>();
    for (const r of routes) for (const h of r.hosts) byHost.set(h.toLowerCase(), r);
    this.byHost = byHost;
  }

  setLocal(byApp: Map<string, Endpoint[]>): void {
    this.local = byApp;
  }

  all(): AppRoutes[] {
    return [...new Set(this.byHost.values())];
  }

  /** The app a Host header names (port and trailing dot ignored), if any. */
  lookup(hostHeader: string | undefined): AppRoutes | undefined {
    if (!hostHeader) return undefined;
    const host = hostHeader.toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
    return this.byHost.get(host);
  }

  /** Endpoints of an app in the order to try them: round-robin start, draining ones left out. */
  pick(routes: AppRoutes): Endpoint[] {
    const seen = new Set<string>(this.draining.values());
    const live = [...routes.endpoints, ...(this.local.get(routes.app) ?? [])].filter((e) => {
      const key = `${e.host}:${e.port}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    if (live.length === 0) return [];
    const start = (this.next.get(routes.app) ?? 0) % live.length;
    this.next.set(routes.app, start + 1);
    return [...live.slice(start), ...live.slice(0, start)];
  }

  /** The container behind this endpoint is about to stop: no new requests go to it. */
  drain(containerId: string, endpoint: { host: string; port: number }): void {
    this.draining.set(containerId, `${endpoint.host}:${endpoint.port}`);
  }

  /** The container is gone: its port may be given to another process, which gets traffic. */
  release(containerId: string): void {
    this.draining.delete(containerId);
  }

  /** Forgets drains of containers that no longer exist (a stop that never came back). */
  keepOnly(containerIds: Set<string>): void {
    for (const id of this.draining.keys()) if (!containerIds.has(id)) this.draining.delete(id);
  }
}
