import fc from 'fast-check';
import { OomMerger, parseKilledLine, parseKmsgRecord, parseKmsgRecords, parseOomSummary } from '../../platforms/kmsg';
import { parseStat } from '../../platforms/procfs/parse-stat';
import { scanTcpTable } from '../../platforms/net/tcp-scan';

/**
 * Parsers of what others write (the kernel's log, /proc/<pid>/stat, the TCP
 * socket table): random input never throws out of them (nor hangs: each
 * property runs under the test's timeout), and valid input round-trips.
 */
const line = fc.string({ maxLength: 300 }).filter((s) => !s.includes('\n'));
const noThrow = { numRuns: 500 };

describe('kernel log records', () => {
  it('random text never throws', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), (text) => {
        parseKmsgRecords(text, () => undefined);
        parseKmsgRecord(text);
      }),
      noThrow,
    );
  });
  it('a record round-trips: prio, seq, usec and the message as written', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 191 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: 0, max: 2 ** 50 }),
        line,
        (prio, seq, usec, message) => {
          const r = parseKmsgRecord(`${prio},${seq},${usec},-;${message}`);
          expect(r).toEqual({ level: prio & 7, facility: prio >> 3, seq, usec, message });
        },
      ),
    );
  });
});

describe('OOM lines', () => {
  const prefixed = fc.oneof(
    line,
    line.map((s) => `oom-kill:${s}`),
    line.map((s) => `Killed process ${s}`),
    line.map((s) => `Memory cgroup out of memory: Killed process ${s}`),
  );
  it('random text (and random tails of the real prefixes) never throws, through the merger too', () => {
    fc.assert(
      fc.property(fc.array(prefixed, { maxLength: 20 }), (messages) => {
        const m = new OomMerger();
        messages.forEach((message, i) => {
          parseOomSummary(message);
          parseKilledLine(message);
          m.push({ level: 3, facility: 0, seq: i, usec: i, message });
        });
      }),
      noThrow,
    );
  });
  const comm = fc.string({ minLength: 1, maxLength: 15 }).filter((s) => !s.includes('\n'));
  it('a Killed process line round-trips: pid, comm (spaces and parentheses too), uid, sizes', () => {
    fc.assert(
      fc.property(fc.nat(4194304), comm, fc.nat(65535), fc.nat(2 ** 30), fc.nat(2 ** 30), (pid, c, uid, anon, file) => {
        const k = parseKilledLine(
          `Memory cgroup out of memory: Killed process ${pid} (${c}) total-vm:1kB, anon-rss:${anon}kB, ` +
            `file-rss:${file}kB, shmem-rss:0kB, UID:${uid} pgtables:184kB oom_score_adj:0`,
        );
        expect(k).toEqual({
          pid,
          comm: c,
          uid,
          constraint: 'cgroup',
          anonRssBytes: anon * 1024,
          fileRssBytes: file * 1024,
          shmemRssBytes: 0,
        });
      }),
    );
  });
  it('a summary round-trips its pid, uid and cgroups (paths with commas too)', () => {
    const path = fc
      .array(fc.stringMatching(/^[a-z0-9@.,_-]{1,12}$/), { minLength: 1, maxLength: 4 })
      .map((p) => '/' + p.join('/'));
    fc.assert(
      fc.property(fc.nat(4194304), fc.nat(65535), path, (pid, uid, cg) => {
        const s = parseOomSummary(
          `oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=${cg},task_memcg=${cg},task=x,pid=${pid},uid=${uid}`,
        );
        expect(s).toEqual({ kernelConstraint: 'CONSTRAINT_MEMCG', taskMemcg: cg, oomMemcg: cg, comm: 'x', pid, uid });
      }),
    );
  });
});

describe('/proc/<pid>/stat', () => {
  it('random bytes never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        parseStat(bytes, bytes.length);
      }),
      noThrow,
    );
  });
  it('a stat line round-trips; comm may hold spaces and parentheses', () => {
    const comm = fc.stringMatching(/^[ -~]{0,15}$/); // printable ASCII: what the kernel shows of a comm
    fc.assert(
      fc.property(
        fc.nat(4194304),
        comm,
        fc.nat(4194304),
        fc.array(fc.nat(2 ** 31), { minLength: 6, maxLength: 6 }),
        (pid, c, ppid, [utime, stime, threads, start, vsize, rss]) => {
          const fields = Array.from({ length: 52 }, () => '0');
          fields[0] = String(pid);
          fields[1] = `(${c})`;
          fields[2] = 'S';
          fields[3] = String(ppid);
          fields[13] = String(utime);
          fields[14] = String(stime);
          fields[19] = String(threads);
          fields[21] = String(start);
          fields[22] = String(vsize);
          fields[23] = String(rss);
          const bytes = Buffer.from(fields.join(' ') + '\n', 'latin1');
          expect(parseStat(bytes, bytes.length)).toEqual({
            pid,
            comm: c,
            ppid,
            utimeTicks: utime,
            stimeTicks: stime,
            threads,
            startTicks: start,
            vsizeBytes: vsize,
            rssPages: rss,
          });
        },
      ),
    );
  });
});

describe('/proc/net/tcp', () => {
  const HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
  it('random bytes after the header never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 800 }), fc.constantFrom<4 | 6>(4, 6), (bytes, family) => {
        const buf = Buffer.concat([Buffer.from(HEADER), Buffer.from(bytes)]);
        scanTcpTable(
          buf,
          buf.length,
          family,
          (r) => r.socket(),
          () => undefined,
        );
      }),
      noThrow,
    );
  });
  it('an IPv4 row round-trips: addresses, ports, state, uid, inode', () => {
    const hex = (n: number, w: number) => n.toString(16).toUpperCase().padStart(w, '0');
    fc.assert(
      fc.property(
        fc.array(fc.nat(255), { minLength: 8, maxLength: 8 }),
        fc.nat(65535),
        fc.nat(65535),
        fc.integer({ min: 1, max: 11 }),
        fc.nat(65535),
        fc.nat(2 ** 31),
        (octets, lport, rport, state, uid, inode) => {
          // The kernel prints an IPv4 address as one host-order (little-endian here) 32-bit hex word.
          const addr = (o: number[]) => hex(((o[3] << 24) | (o[2] << 16) | (o[1] << 8) | o[0]) >>> 0, 8);
          const row =
            `   0: ${addr(octets.slice(0, 4))}:${hex(lport, 4)} ${addr(octets.slice(4))}:${hex(rport, 4)} ` +
            `${hex(state, 2)} 00000000:00000000 00:00000000 00000000 ${uid}        0 ${inode} 1 0000000000000000 100 0 0 10 0\n`;
          const buf = Buffer.from(HEADER + row);
          const seen: unknown[] = [];
          scanTcpTable(
            buf,
            buf.length,
            4,
            (r) => seen.push(r.socket()),
            (l) => seen.push(`malformed: ${l}`),
          );
          expect(seen).toEqual([
            expect.objectContaining({
              family: 4,
              localAddress: octets.slice(0, 4).join('.'),
              localPort: lport,
              remoteAddress: octets.slice(4).join('.'),
              remotePort: rport,
              uid,
              inode,
            }),
          ]);
        },
      ),
    );
  });
});
