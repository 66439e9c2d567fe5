/** The one Pushgateway launcher, shared with the benchmark. */
export {
  gatewayMetrics,
  startPushgateway,
  type GatewaySeries,
  type PushgatewayOptions,
  type RunningServer,
} from '../../bench/harness/pushgateway';
