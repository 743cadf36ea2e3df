/**
 * The router's desired state: Host → app → its web endpoints, and which endpoints are draining
 * (about to be stopped on this host). Pure. `specs()` is what HAProxy should have (controller.ts
 * makes it so).
 */
import type { AppSpec, ServerSpec } from './haproxy/config.js';

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
  private routes: AppRoutes[] = [];
  /**
   * Endpoints of containers about to be stopped on this host, by container id, with the
   * servers they were: kept (draining) even once the api's table and the host's no longer list
   * them, until the container is gone.
   */
  private readonly draining = new Map<string, { key: string; servers: { app: string; server: ServerSpec }[] }>();
  /** Web processes of this host seen up, by app: routed at once, before the api's table has them. */
  private local = new Map<string, Endpoint[]>();

  constructor(private readonly onChange: () => void = () => {}) {}

  replace(routes: AppRoutes[]): void {
    this.routes = routes;
    this.onChange();
  }

  setLocal(byApp: Map<string, Endpoint[]>): void {
    this.local = byApp;
    this.onChange();
  }

  all(): AppRoutes[] {
    return this.routes;
  }

  /**
   * Every app with its hosts and servers: the api's endpoints and this host's own, once each;
   * draining ones stay (their in-flight requests finish) but get no new requests.
   */
  specs(): AppSpec[] {
    const draining = new Set([...this.draining.values()].map((d) => d.key));
    const taken = new Set<string>();
    return this.routes.map((r) => {
      const seen = new Set<string>();
      const servers: ServerSpec[] = [];
      for (const e of [...r.endpoints, ...(this.local.get(r.app) ?? [])]) {
        const key = `${e.host}:${e.port}`;
        if (seen.has(key)) continue;
        seen.add(key);
        servers.push({ name: e.name, host: e.host, port: e.port, drain: draining.has(key) });
      }
      for (const d of this.draining.values())
        for (const { app, server } of d.servers)
          if (app === r.app && !seen.has(d.key)) {
            seen.add(d.key);
            servers.push(server);
          }
      const hosts = r.hosts.map((h) => h.toLowerCase()).filter((h) => !taken.has(h) && taken.add(h));
      return { app: r.app, hosts, servers };
    });
  }

  /** The container behind this endpoint is about to stop: no new requests go to it. */
  drain(containerId: string, endpoint: { host: string; port: number }): void {
    const key = `${endpoint.host}:${endpoint.port}`;
    const servers = this.specs().flatMap((a) =>
      a.servers
        .filter((s) => `${s.host}:${s.port}` === key)
        .map((s) => ({ app: a.app, server: { ...s, drain: true } })),
    );
    this.draining.set(containerId, { key, servers });
    this.onChange();
  }

  /** The container is gone: its port may be given to another process, which gets traffic. */
  release(containerId: string): void {
    if (this.draining.delete(containerId)) this.onChange();
  }

  /** Forgets drains of containers that no longer exist (a stop that never came back). */
  keepOnly(containerIds: Set<string>): void {
    for (const id of this.draining.keys()) if (!containerIds.has(id)) this.release(id);
  }
}
