/** The one process toolkit, shared with the benchmark (bench/harness is compiled into dist/, test/ is not). */
export { spawnTracked, stopAll, type Spawned, type TrackedOptions } from '../../bench/harness/children';
export { freePort, httpGet } from '../../bench/harness/net';
export { waitFor, waitHttp, waitReady } from '../../bench/harness/wait';
