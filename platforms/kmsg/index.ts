/** The kernel log as a source of plain records (no prom-client here). */
export { parseKmsgRecord, parseKmsgRecords, SeqTracker, type KmsgRecord } from './record';
export {
  OomMerger,
  parseKilledLine,
  parseKillChoice,
  parseOomSummary,
  type OomConstraint,
  type OomKill,
  type OomSummary,
} from './oom';
export { DEFAULT_KMSG_PATH, KmsgFollower, kmsgUnavailable, type KmsgFollowerEvents } from './follower';
