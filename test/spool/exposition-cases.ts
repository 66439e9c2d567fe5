/**
 * Exposition texts with the answer the real Pushgateway 1.5.1 (consistency
 * check on) gives to a PUT of them, and the part of our reason that names
 * the problem. test/spool/gateway-rules.test.ts replays every case against
 * the real gateway; check-exposition.test.ts holds the validator to them.
 */
export interface ExpositionCase {
  name: string;
  text: string;
  /** The gateway's verdict: true when it answers 2xx. */
  gatewayAccepts: boolean;
  /** Ours, when it differs from the gateway's on purpose (docs/collectors.md, "Spool"). */
  weAccept?: boolean;
  /** Our refusal: the line and a part of the reason. */
  line?: number;
  reason?: string;
}

export const CASES: ExpositionCase[] = [
  {
    name: 'typed families with help',
    text: '# HELP backup_bytes Bytes written.\n# TYPE backup_bytes gauge\nbackup_bytes{disk="a"} 12\nbackup_bytes{disk="b"} 1e3\n',
    gatewayAccepts: true,
  },
  {
    name: 'untyped, no labels, comments and blank lines',
    text: '# just a comment\n\nbatch_ok 1\n  batch_seconds 2.5\n',
    gatewayAccepts: true,
  },
  { name: 'empty file', text: '', gatewayAccepts: true },
  { name: 'special values', text: 'a_v{k="1"} NaN\na_v{k="2"} +Inf\na_v{k="3"} -Inf\n', gatewayAccepts: true },
  { name: 'escapes in a label value', text: 'esc_v{path="C:\\\\x\\n\\"q\\""} 1\n', gatewayAccepts: true },
  { name: 'a trailing comma and blanks in labels', text: 'blank_v { a = "1" , } 2\n', gatewayAccepts: true },
  {
    name: 'histogram',
    text: '# TYPE h_seconds histogram\nh_seconds_bucket{le="0.5"} 1\nh_seconds_bucket{le="+Inf"} 2\nh_seconds_sum 0.7\nh_seconds_count 2\n',
    gatewayAccepts: true,
  },
  {
    name: 'summary',
    text: '# TYPE s_seconds summary\ns_seconds{quantile="0.5"} 0.1\ns_seconds_sum 3\ns_seconds_count 9\n',
    gatewayAccepts: true,
  },
  { name: 'no newline at the end', text: 'a_v 1', gatewayAccepts: false, line: 1, reason: 'no newline' },
  { name: 'broken syntax: no value', text: 'a_v 1\nb_v\n', gatewayAccepts: false, line: 2, reason: 'no value' },
  { name: 'value not a number', text: 'a_v one\n', gatewayAccepts: false, line: 1, reason: 'expected a number' },
  { name: 'hex value', text: 'a_v 0x10\n', gatewayAccepts: false, line: 1, reason: 'expected a number' },
  { name: 'value out of range', text: 'a_v 1e400\n', gatewayAccepts: false, line: 1, reason: 'expected a number' },
  {
    name: 'metric name with a dash',
    text: 'ok_v 1\nbad-name 1\n',
    gatewayAccepts: false,
    line: 2,
    reason: 'invalid metric name "bad-name"',
  },
  {
    name: 'metric name starting with a digit',
    text: '1abc 1\n',
    gatewayAccepts: false,
    line: 1,
    reason: 'invalid metric name',
  },
  {
    name: 'label name with a dash',
    text: 'a_v{bad-label="x"} 1\n',
    gatewayAccepts: false,
    line: 1,
    reason: 'invalid label name "bad-label"',
  },
  {
    name: 'label name starting with a digit',
    text: 'a_v{1x="x"} 1\n',
    gatewayAccepts: false,
    line: 1,
    reason: 'invalid label name',
  },
  {
    name: 'reserved label __name__',
    text: 'a_v{__name__="x"} 1\n',
    gatewayAccepts: false,
    line: 1,
    reason: 'reserved',
  },
  { name: 'reserved label prefix __', text: 'a_v{__x="x"} 1\n', gatewayAccepts: false, line: 1, reason: 'reserved' },
  {
    name: 'label given twice',
    text: 'a_v{x="1",x="2"} 1\n',
    gatewayAccepts: false,
    line: 1,
    reason: 'label "x" given twice',
  },
  { name: 'label value without quotes', text: 'a_v{x=1} 1\n', gatewayAccepts: false, line: 1, reason: 'double quotes' },
  { name: 'unclosed label value', text: 'a_v{x="1} 1\n', gatewayAccepts: false, line: 1, reason: 'no closing quote' },
  {
    name: 'bad escape in a label value',
    text: 'a_v{x="\\t"} 1\n',
    gatewayAccepts: false,
    line: 1,
    reason: 'invalid escape',
  },
  {
    name: 'duplicate series',
    text: 'a_v{x="1"} 1\na_v{x="2"} 1\na_v{x="1"} 3\n',
    gatewayAccepts: false,
    line: 3,
    reason: 'duplicate series',
  },
  {
    name: 'duplicate series, labels in another order',
    text: 'a_v{x="1",y="2"} 1\na_v{y="2",x="1"} 3\n',
    gatewayAccepts: false,
    line: 2,
    reason: 'duplicate series',
  },
  {
    name: 'HELP given twice',
    text: '# HELP a_v one\n# HELP a_v two\na_v 1\n',
    gatewayAccepts: false,
    line: 2,
    reason: 'second HELP',
  },
  {
    name: 'TYPE given twice',
    text: '# TYPE a_v gauge\n# TYPE a_v counter\na_v 1\n',
    gatewayAccepts: false,
    line: 2,
    reason: 'second TYPE',
  },
  {
    name: 'TYPE after the samples',
    text: 'a_v 1\n# TYPE a_v gauge\n',
    gatewayAccepts: false,
    line: 2,
    reason: 'second TYPE',
  },
  {
    name: 'unknown type',
    text: '# TYPE a_v meter\na_v 1\n',
    gatewayAccepts: false,
    line: 1,
    reason: 'unknown metric type',
  },
  { name: 'timestamp', text: 'a_v 1 1700000000000\n', gatewayAccepts: false, line: 1, reason: 'timestamps' },
  { name: 'blank after the value', text: 'a_v 1 \n', gatewayAccepts: false, line: 1, reason: 'blank after the value' },
  { name: 'CRLF line ends', text: 'a_v 1\r\n', gatewayAccepts: false, line: 1, reason: 'expected a number' },
  {
    name: 'summary _sum as a family of its own',
    text: 's2_sum 3\n# TYPE s2 summary\ns2{quantile="0.5"} 1\n',
    gatewayAccepts: false,
    line: 3,
    reason: 'collides',
  },
  {
    name: 'quantile not a number',
    text: '# TYPE s3 summary\ns3{quantile="half"} 1\n',
    gatewayAccepts: false,
    line: 2,
    reason: 'must be a number',
  },
  {
    name: 'invalid metric name in HELP',
    text: '# HELP bad-name x\n',
    gatewayAccepts: false,
    line: 1,
    reason: 'invalid metric name in HELP',
  },
  {
    name: 'a job label (the gateway overwrites it silently)',
    text: 'a_v{job="other"} 1\n',
    gatewayAccepts: true,
    weAccept: false,
    line: 1,
    reason: 'label "job" is set by hostpulse',
  },
  {
    name: 'an instance label (the gateway overwrites it silently)',
    text: 'a_v{instance="x"} 1\n',
    gatewayAccepts: true,
    weAccept: false,
    line: 1,
    reason: 'label "instance" is set by hostpulse',
  },
];
