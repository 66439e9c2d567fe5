/**
 * The toprc hostpulse gives procps-ng 4 top (rc format "Id:k") in a private
 * HOME, so the user's own ~/.config/procps/toprc never changes the columns:
 * PID PPID RES VIRT TIME+ nTH S COMMAND, COMMAND showing the program name.
 *
 * Each window's fieldscur lists all 100 field slots: ((index + 37) << 1) | on,
 * index being the position in `top -O`'s list (PID=0, PPID=1, nTH=16, TIME+=20,
 * VIRT=22, RES=24, S=31, COMMAND=32). Learned from a toprc procps 4.0.2 wrote.
 */
const SHOWN = [0, 1, 24, 22, 20, 16, 31, 32];
const SLOTS = 100;

export function procpsToprc(): string {
  const hidden = Array.from({ length: SLOTS }, (_, i) => i).filter((i) => !SHOWN.includes(i));
  const fields = [...SHOWN.map((i) => ((i + 37) << 1) | 1), ...hidden.map((i) => (i + 37) << 1)].join(' ');
  const window = (name: string): string[] => [
    `${name}\tfieldscur= ${fields}`,
    '\twinflags=193844, sortindx=0, maxtasks=0, graph_cpus=0, graph_mems=0, double_up=0, combine_cpus=0, core_types=0',
    '\tsummclr=1, msgsclr=1, headclr=3, taskclr=1',
  ];
  return [
    "top's Config File (Linux processes with windows)",
    'Id:k, Mode_altscr=0, Mode_irixps=1, Delay_time=1.0, Curwin=0',
    ...window('Def'),
    ...window('Job'),
    ...window('Mem'),
    ...window('Usr'),
    'Fixed_widest=0, Summ_mscale=0, Task_mscale=0, Zero_suppress=0, Tics_scaled=0',
    '',
  ].join('\n');
}
