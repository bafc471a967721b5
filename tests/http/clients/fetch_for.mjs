// A fetch for the clients: through hfd's HTTP Unix socket (an undici Agent with
// socketPath) when the target is a path, else the plain one for a TCP base URL.
import { Agent, fetch as undiciFetch } from 'undici';

export function endpoint(target) {
  if (!target.startsWith('/')) return { baseURL: target, fetch: undiciFetch };
  const dispatcher = new Agent({ connect: { socketPath: target } });
  return {
    baseURL: 'http://hfd',
    fetch: (url, init) => undiciFetch(url, { ...init, dispatcher }),
  };
}
