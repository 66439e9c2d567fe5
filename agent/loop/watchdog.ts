import { execFile } from 'child_process';
import type { Logger } from '../log';

/** Never notify more often than this, whatever WatchdogSec= says. */
const MIN_PERIOD_MS = 500;

export interface Watchdog {
  stop(): void;
}

/**
 * systemd's watchdog (`WatchdogSec=` in the unit): systemd passes
 * NOTIFY_SOCKET and WATCHDOG_USEC, and restarts the service when no
 * `WATCHDOG=1` arrives within that time. Node has no unix datagram sockets,
 * so each notification is one `systemd-notify --no-block WATCHDOG=1` (the
 * unit says NotifyAccess=all: the sender is that child, not the agent), at
 * half the watchdog time: one short spawn every 30 s with the shipped unit.
 *
 * Sent from a timer of the agent's own event loop, so a blocked loop (a read
 * that never returns, a tight loop) sends nothing and systemd restarts it. A
 * tick that fires late by more than half a period means the loop just was
 * stuck: it is skipped, and the next on-time tick notifies again.
 *
 * Undefined (nothing to do) without NOTIFY_SOCKET and WATCHDOG_USEC, or when
 * WATCHDOG_PID names another process (the variables were inherited).
 */
export function startWatchdog(logger: Logger, env: NodeJS.ProcessEnv = process.env): Watchdog | undefined {
  const socket = env.NOTIFY_SOCKET;
  const usec = Number(env.WATCHDOG_USEC);
  if (socket === undefined || socket === '' || !Number.isInteger(usec) || usec <= 0) return undefined;
  if (env.WATCHDOG_PID !== undefined && env.WATCHDOG_PID !== String(process.pid)) return undefined;
  const periodMs = Math.max(MIN_PERIOD_MS, Math.floor(usec / 1000 / 2));
  let expected = performance.now() + periodMs;
  let inFlight = false;
  let failing = false;
  const timer = setInterval(() => {
    const now = performance.now();
    const late = now - expected;
    expected = now + periodMs;
    if (late > periodMs / 2 || inFlight) return;
    inFlight = true;
    // Only what systemd-notify needs: it reads NOTIFY_SOCKET, nothing else of the agent's environment.
    execFile(
      'systemd-notify',
      ['--no-block', 'WATCHDOG=1'],
      { env: { NOTIFY_SOCKET: socket, PATH: env.PATH ?? '/usr/bin:/bin' }, timeout: periodMs },
      (err) => {
        inFlight = false;
        if (err && !failing) {
          failing = true;
          logger.warn(`systemd watchdog: systemd-notify failed: ${err.message} (systemd will restart the agent)`);
        } else if (!err && failing) {
          failing = false;
          logger.info('systemd watchdog: notifications go through again');
        }
      },
    );
  }, periodMs);
  timer.unref();
  logger.info(`systemd watchdog: WATCHDOG=1 every ${periodMs} ms`, { event: 'watchdog' });
  return { stop: () => clearInterval(timer) };
}
