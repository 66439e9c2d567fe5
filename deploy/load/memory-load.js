#!/usr/bin/env node
'use strict';
/**
 * Synthetic memory load for a simulated host: a few child processes, each with its
 * own name (comm), whose touched memory rises and falls on its own schedule, so the
 * dashboards and alerts have something that moves.
 *
 *   node deploy/load/memory-load.js            # the default profiles below
 *   LOAD_SCALE=0.25 node deploy/load/memory-load.js   # a quarter of the sizes
 *
 * SIGTERM/SIGINT stop the children; a child also exits when its parent goes away.
 */
const { fork } = require('child_process');

const MiB = 1024 * 1024;
const CHUNK = 4 * MiB;
const STEP_MS = 500;

/** name: comm of the child; peakMiB: top of the cycle; periodS: one full rise and fall; shape. */
const PROFILES = [
  { name: 'load-breathing', peakMiB: 64, periodS: 40, shape: 'triangle' },
  { name: 'load-spiky', peakMiB: 32, periodS: 8, shape: 'triangle' },
  { name: 'load-slowleak', peakMiB: 128, periodS: 600, shape: 'sawtooth' },
];

/** Fraction (0..1) of the peak a profile wants at `t` seconds into its life. */
function level(shape, periodS, t) {
  const phase = (t % periodS) / periodS;
  if (shape === 'sawtooth') return phase; // climbs slowly, then drops all at once
  return 1 - Math.abs(2 * phase - 1);
}

function runChild(profile, scale) {
  process.title = profile.name; // sets comm (prctl PR_SET_NAME via libuv)
  const chunks = [];
  const start = Date.now();
  const timer = setInterval(() => {
    const want = Math.round(
      (level(profile.shape, profile.periodS, (Date.now() - start) / 1000) * profile.peakMiB * scale * MiB) / CHUNK,
    );
    // allocUnsafe + fill touches every page, so the memory is resident (Buffer.alloc may map zero pages lazily).
    while (chunks.length < want) chunks.push(Buffer.allocUnsafe(CHUNK).fill(chunks.length & 0xff));
    if (chunks.length > want) {
      chunks.length = want;
      // Large buffers are returned to the OS only when collected; collect now so RSS falls on schedule.
      if (typeof global.gc === 'function') global.gc();
    }
  }, STEP_MS);
  process.on('disconnect', () => {
    clearInterval(timer);
    process.exit(0);
  });
}

function runParent() {
  const scale = Number(process.env.LOAD_SCALE || '1');
  if (!(scale > 0)) {
    process.stderr.write(`memory-load: LOAD_SCALE must be a positive number, got ${process.env.LOAD_SCALE}\n`);
    process.exit(2);
  }
  process.title = 'load-parent';
  const children = PROFILES.map((p) =>
    fork(__filename, ['--child', JSON.stringify(p), String(scale)], { execArgv: ['--expose-gc'], stdio: 'inherit' }),
  );
  let stopping = false;
  const stop = () => {
    stopping = true;
    for (const c of children) if (c.connected) c.disconnect();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  let left = children.length;
  for (const c of children) {
    c.on('exit', (code, signal) => {
      if (!stopping) process.stderr.write(`memory-load: child ${c.pid} exited (${signal || code}); stopping\n`);
      stop();
      if (--left === 0) process.exit(stopping ? 0 : 1);
    });
  }
  process.stdout.write(
    `memory-load: ${PROFILES.map((p, i) => `${p.name}=${children[i].pid}`).join(' ')} scale=${scale}\n`,
  );
}

if (process.argv[2] === '--child') {
  runChild(JSON.parse(process.argv[3]), Number(process.argv[4]));
} else {
  runParent();
}
