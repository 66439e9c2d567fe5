import { isIP } from 'net';
import { UsageError } from '../errors';

/** HOST:PORT of a daemon the agent talks to (Graphite, statsd) or listens on (the scrape endpoint). */
export interface SocketAddress {
  host: string;
  port: number;
}

/** host, host:port, [v6]:port or a bare IPv6 address. */
export function parseAddress(flag: string, text: string, defaultPort: number): SocketAddress {
  const t = text.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(t);
  const plain = /^([^:[\]\s]+)(?::(\d+))?$/.exec(t);
  let host: string;
  let portText: string | undefined;
  if (bracketed) [, host, portText] = bracketed;
  else if (isIP(t) === 6) host = t;
  else if (plain) [, host, portText] = plain;
  else
    throw new UsageError(
      `--${flag} "${text}" must be HOST or HOST:PORT (examples: graphite.example:2003, 10.0.0.5, [2001:db8::5]:2003)`,
    );
  const port = portText === undefined ? defaultPort : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new UsageError(`--${flag} "${text}": the port must be from 1 to 65535`);
  return { host, port };
}
