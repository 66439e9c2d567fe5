import { startPushgateway, type RunningServer } from '../support/pushgateway';
import { checkExposition } from '../../agent/spool/check-exposition';
import { CASES } from './exposition-cases';

/**
 * The validator's rules are the Pushgateway's: every case of
 * exposition-cases.ts is PUT to a real Debian Pushgateway with its
 * consistency check on (as production gateways run), and its answer must be
 * the one the table says, which the validator test holds us to.
 */
let gw: RunningServer;
beforeAll(async () => {
  gw = await startPushgateway({ consistencyCheck: true });
}, 30000);
afterAll(async () => {
  await gw?.stop();
});

test('the real Pushgateway accepts and refuses exactly the cases the table says', async () => {
  const disagreements: string[] = [];
  for (const [i, c] of CASES.entries()) {
    const group = `${gw.url}/metrics/job/rules${i}/instance/test`;
    const res = await fetch(group, {
      method: 'PUT',
      body: c.text,
      headers: { 'Content-Type': 'text/plain; version=0.0.4' },
    });
    const body = await res.text();
    if (res.ok !== c.gatewayAccepts) disagreements.push(`${c.name}: gateway answered ${res.status} ${body.trim()}`);
    const ours = checkExposition(c.text).ok;
    if (c.weAccept === undefined && ours !== res.ok)
      disagreements.push(`${c.name}: we say ${ours ? 'ok' : 'refused'}, the gateway ${res.status}`);
    // Leave no group behind: the next case's check compares against every group the gateway holds.
    await fetch(group, { method: 'DELETE' });
  }
  expect(disagreements).toEqual([]);
}, 120000);
