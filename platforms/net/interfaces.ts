import * as os from 'os';

/** Every address of every interface of this host (loopback included), as Node prints them. */
export function interfaceAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(os.networkInterfaces())) for (const i of list ?? []) out.push(i.address);
  return out;
}
