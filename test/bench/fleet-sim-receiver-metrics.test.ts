import { parseReceiverMetrics } from '../../bench/fleet-sim/receiver-metrics';

describe("fleet-sim: VictoriaMetrics' /metrics", () => {
  it('tells connections it failed to accept from connections a sender reset while it read the request', () => {
    const r = parseReceiverMetrics(
      [
        'vm_tcplistener_accepts_total{name="http", addr="127.0.0.1:32727"} 20022',
        'vm_tcplistener_errors_total{name="http", addr="127.0.0.1:32727", type="accept"} 2',
        'vm_tcplistener_errors_total{name="http", addr="127.0.0.1:32727", type="close"} 0',
        'vm_tcplistener_errors_total{name="http", addr="127.0.0.1:32727", type="read"} 28',
        'vm_tcplistener_errors_total{name="http", addr="127.0.0.1:32727", type="write"} 5',
      ].join('\n'),
    );
    expect(r).toMatchObject({ acceptedConns: 20022, acceptErrors: 2, readErrors: 28 });
  });
});
