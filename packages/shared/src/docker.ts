/** DOCKER_HOST as Docker spells it (unix://, tcp://) → the connection options dockerode takes. */
export type DockerConnection = { socketPath: string } | { host: string; port: number; protocol: 'http' | 'https' };

export function dockerConnection(dockerHost: string | undefined): DockerConnection {
  if (!dockerHost) return { socketPath: '/var/run/docker.sock' };
  const url = new URL(dockerHost);
  if (url.protocol === 'unix:') return { socketPath: url.pathname };
  if (url.protocol === 'tcp:' || url.protocol === 'http:') {
    return { host: url.hostname, port: Number(url.port || 2375), protocol: 'http' };
  }
  if (url.protocol === 'https:') return { host: url.hostname, port: Number(url.port || 2376), protocol: 'https' };
  throw new Error(`DOCKER_HOST ${dockerHost}: unsupported scheme ${url.protocol}`);
}
