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
  private readonly draining = new Set<string>();
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
    const seen = new Set<string>();
    const live = [...routes.endpoints, ...(this.local.get(routes.app) ?? [])].filter((e) => {
      const key = `${e.host}:${e.port}`;
      if (seen.has(key) || this.draining.has(key)) return false;
      seen.add(key);
      return true;
    });
    if (live.length === 0) return [];
    const start = (this.next.get(routes.app) ?? 0) % live.length;
    this.next.set(routes.app, start + 1);
    return [...live.slice(start), ...live.slice(0, start)];
  }

  drain(endpoint: { host: string; port: number }): void {
    this.draining.add(`${endpoint.host}:${endpoint.port}`);
  }

  undrain(endpoint: { host: string; port: number }): void {
    this.draining.delete(`${endpoint.host}:${endpoint.port}`);
  }
}
