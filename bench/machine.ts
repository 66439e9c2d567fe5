import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';

export interface Machine {
  nproc: number;
  cpuModel: string;
  memTotalGiB: number;
  kernel: string;
  node: string;
  pushgateway: string;
  ulimitProcesses: string;
  pidMax: number;
}

/** What the figures depend on, printed with every run. */
export function describeMachine(): Machine {
  const cpus = os.cpus();
  return {
    nproc: os.availableParallelism(),
    cpuModel: cpus[0]?.model ?? 'unknown',
    memTotalGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    pushgateway: versionOf('prometheus-pushgateway', ['--version']),
    ulimitProcesses: /^Max processes\s+(\S+)/m.exec(fs.readFileSync('/proc/self/limits', 'latin1'))?.[1] ?? 'unknown',
    pidMax: Number(fs.readFileSync('/proc/sys/kernel/pid_max', 'latin1').trim()),
  };
}

function versionOf(bin: string, args: string[]): string {
  // Go binaries of this vintage print their version on stderr.
  const out = execFileSync('/bin/sh', ['-c', `"${bin}" ${args.join(' ')} 2>&1`], { encoding: 'utf8', timeout: 10_000 });
  return /version (\S+)/.exec(out)?.[1] ?? out.split('\n')[0].trim();
}
