/**
 * The api's port to the platform's image registry (Debian's docker-registry, deploy/registry.sh)
 * over its HTTP API (v2): list repositories and tags, delete a tag's manifest. TLS is checked
 * against the platform CA (the registry's certificate is signed by it), with the registry's
 * credentials (user `paas`). Deleting a manifest frees nothing on disk by itself: the registry's
 * garbage collection (deploy/registry-gc.sh, on a timer) frees the blobs no manifest names.
 */
import fs from 'node:fs';
import https from 'node:https';

export interface RegistryClientOptions {
  /** `host:port` (PAAS_REGISTRY). */
  address: string;
  username: string;
  password: string;
  /** The platform CA's certificate file (read at each request: it may be made after the api starts). */
  caFile: string;
  timeoutMs?: number;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

// Docker's and OCI's manifest types: a HEAD must accept what the push wrote, else the registry
// answers with a converted manifest whose digest is not the one stored.
const MANIFESTS = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ');

export class RegistryClient {
  constructor(private readonly options: RegistryClientOptions) {}

  /** Every repository the registry holds. */
  async repositories(): Promise<string[]> {
    const all: string[] = [];
    let last = '';
    for (;;) {
      const query = `n=1000${last ? `&last=${encodeURIComponent(last)}` : ''}`;
      const answer = await this.request('GET', `/v2/_catalog?${query}`);
      if (answer.status !== 200) throw this.failure('list repositories', answer);
      const page = (JSON.parse(answer.body) as { repositories?: string[] | null }).repositories ?? [];
      all.push(...page);
      if (page.length < 1000 || !String(answer.headers.link ?? '')) return all;
      last = page.at(-1) ?? '';
    }
  }

  /** A repository's tags ([] when it has none, or is unknown). */
  async tags(repo: string): Promise<string[]> {
    const answer = await this.request('GET', `/v2/${repo}/tags/list`);
    if (answer.status === 404) return [];
    if (answer.status !== 200) throw this.failure(`list the tags of ${repo}`, answer);
    return (JSON.parse(answer.body) as { tags?: string[] | null }).tags ?? [];
  }

  /** Deletes the manifest a tag names (and so the tag); false when it was gone already. */
  async deleteTag(repo: string, tag: string): Promise<boolean> {
    const head = await this.request('HEAD', `/v2/${repo}/manifests/${encodeURIComponent(tag)}`, { Accept: MANIFESTS });
    if (head.status === 404) return false;
    const digest = head.headers['docker-content-digest'];
    if (head.status !== 200 || typeof digest !== 'string') throw this.failure(`find ${repo}:${tag}`, head);
    const answer = await this.request('DELETE', `/v2/${repo}/manifests/${digest}`);
    if (answer.status === 404) return false;
    if (answer.status !== 202) throw this.failure(`delete ${repo}:${tag}`, answer);
    return true;
  }

  private failure(what: string, answer: Answer): Error {
    return new Error(
      `the registry ${this.options.address} could not ${what}: HTTP ${answer.status} ${answer.body.slice(0, 200)}`,
    );
  }

  private request(method: string, pathname: string, headers: Record<string, string> = {}): Promise<Answer> {
    const { address, username, password, caFile, timeoutMs = 30_000 } = this.options;
    const [host, port] = address.split(':');
    return new Promise((resolve, reject) => {
      const ca = fs.readFileSync(caFile, 'utf8');
      const req = https.request(
        {
          host,
          port: Number(port ?? 443),
          method,
          path: pathname,
          ca,
          auth: `${username}:${password}`,
          headers,
          timeout: timeoutMs,
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            body += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`the registry ${address} did not answer in ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end();
    });
  }
}
