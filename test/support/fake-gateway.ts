/** The one fake (misbehaving) Pushgateway, shared with the benchmark's soak. */
export {
  hang,
  startFakeGateway,
  type Behaviour,
  type FakeGateway,
  type Received,
} from '../../bench/harness/fake-gateway';
