import { UnsupportedSamplerError } from '../../platforms/errors';
import { choosePlatform } from '../../platforms/choose';
import { classifyPs, classifyTop, probeCommands, type PlatformProbe } from '../../platforms/probe';
import { needsCommandProbe, SAMPLER_NAMES, selectPlatform, type SamplerName } from '../../platforms/registry';

const linux: PlatformProbe = { procfs: true, ps: 'procps', top: 'procps' };
const alpine: PlatformProbe = { procfs: true, ps: 'busybox', top: 'busybox' };
const darwin: PlatformProbe = { procfs: false, ps: 'bsd', top: 'macos' };
const bsd: PlatformProbe = { procfs: false, ps: 'bsd' };
const nothing: PlatformProbe = { procfs: false };

describe('selectPlatform (auto)', () => {
  test.each([
    ['linux', linux, 'procfs'],
    ['linux', alpine, 'procfs'],
    ['linux', { procfs: false, ps: 'procps' }, 'ps'], // /proc not mounted
    ['linux', { procfs: false, top: 'busybox' }, 'top'],
    ['darwin', darwin, 'ps'],
    ['darwin', { procfs: false, top: 'macos' }, 'top'],
    ['freebsd', bsd, 'ps'],
    ['openbsd', bsd, 'ps'],
    ['netbsd', bsd, 'ps'],
  ] as const)('%s with %j -> %s', (platform, probe, name) => {
    expect(selectPlatform(platform, probe).name).toBe(name);
  });

  test.each(['win32', 'aix', 'sunos'] as const)('%s: no sampler, the error lists what each needs', (platform) => {
    expect(() => selectPlatform(platform, darwin)).toThrow(UnsupportedSamplerError);
    expect(() => selectPlatform(platform, darwin)).toThrow(
      new RegExp(`no sampler can run on ${platform}: procfs needs .*; ps needs .*; top needs `),
    );
  });

  test('linux without /proc, ps or top: no sampler', () => {
    expect(() => selectPlatform('linux', nothing)).toThrow(/no sampler can run on linux/);
  });
});

describe('selectPlatform (forced)', () => {
  test.each([
    ['linux', linux, 'ps'],
    ['linux', linux, 'top'],
    ['linux', alpine, 'top'],
    ['darwin', darwin, 'top'],
    ['freebsd', bsd, 'ps'],
  ] as const)('%s: --sampler %s runs', (platform, probe, name) => {
    expect(selectPlatform(platform, probe, name).name).toBe(name);
  });

  test.each([
    [
      'darwin',
      darwin,
      'procfs',
      /sampler procfs does not run on darwin \(it runs on linux\): it needs Linux with a readable proc filesystem/,
    ],
    ['freebsd', bsd, 'top', /sampler top does not run on freebsd \(it runs on linux, darwin\)/],
    [
      'linux',
      { procfs: false, ps: 'procps' },
      'procfs',
      /sampler procfs cannot run here \(linux\): it needs Linux with a readable proc filesystem \(--procfs-root\)/,
    ],
    [
      'linux',
      { procfs: true, ps: 'procps' },
      'top',
      /sampler top cannot run here \(linux\): it needs a top command on PATH: procps-ng 4 or busybox/,
    ],
    ['openbsd', nothing, 'ps', /sampler ps cannot run here \(openbsd\): it needs a ps command on PATH/],
  ] as const)('%s: --sampler %s cannot run', (platform, probe, name, message) => {
    expect(() => selectPlatform(platform, probe, name)).toThrow(UnsupportedSamplerError);
    expect(() => selectPlatform(platform, probe, name)).toThrow(message);
  });

  test('an unknown name is named in the error', () => {
    // The CLI validates choices too; the registry must not trust that.
    expect(() => selectPlatform('linux', linux, 'bogus' as never)).toThrow(
      /unknown sampler "bogus" \(choose from auto, procfs, ps, top\)/,
    );
  });
});

describe('probe', () => {
  test.each([
    ['ps from procps-ng 4.0.2\n', 'linux', 'procps'],
    [
      "\nps: unrecognized option '--version'\nBusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.",
      'linux',
      'busybox',
    ],
    ['\nps: illegal option -- -\nusage: ps [-AaCcEefhjlMmrSTvwXx] ...', 'darwin', 'bsd'],
    ['\nps: illegal option -- -\nusage: ps [-aCcdefHhjlmrSTuvwXxZ] ...', 'freebsd', 'bsd'],
    ['\nps: unknown option\n', 'linux', undefined],
  ] as const)('ps answering %p on %s is %s', (out, platform, flavour) => {
    expect(classifyPs(out, platform)).toBe(flavour);
  });

  test.each([
    ['top from procps-ng 4.0.2\n', 'linux', 'procps'],
    ['top: procps version 3.2.8\n', 'linux', undefined], // its toprc format predates ours
    ["\ntop: invalid option -- 'V'\nBusyBox v1.35.0 multi-call binary.", 'linux', 'busybox'],
    ['\ninvalid option or syntax: -V\n', 'darwin', 'macos'],
    ['\ntop: illegal option -- V\n', 'freebsd', undefined],
  ] as const)('top answering %p on %s is %s', (out, platform, flavour) => {
    expect(classifyTop(out, platform)).toBe(flavour);
  });

  test('this Debian machine: procps ps and top', async () => {
    expect(await probeCommands('linux')).toEqual({ ps: 'procps', top: 'procps' });
  });

  test('a busybox-only PATH (applet symlinks, as on Alpine) is busybox, and an empty PATH finds nothing', async () => {
    const fs = await import('fs');
    const os = await import('os');
    const path = await import('path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bb-path-'));
    try {
      const busybox = fs.realpathSync('/usr/bin/busybox');
      fs.symlinkSync(busybox, path.join(dir, 'ps'));
      fs.symlinkSync(busybox, path.join(dir, 'top'));
      expect(await probeCommands('linux', dir)).toEqual({ ps: 'busybox', top: 'busybox' });
      expect(await probeCommands('linux', '')).toEqual({});
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

const OSES: NodeJS.Platform[] = [
  'linux',
  'darwin',
  'freebsd',
  'openbsd',
  'netbsd',
  'win32',
  'aix',
  'sunos',
  'android',
  'haiku',
  'cygwin',
];
const REQUESTS: (SamplerName | 'auto')[] = ['auto', ...SAMPLER_NAMES];

describe('needsCommandProbe', () => {
  test.each([
    ['linux', true, 'auto', false], // the default on Linux: procfs, nothing spawned
    ['linux', true, 'procfs', false],
    ['linux', false, 'procfs', false], // fails on /proc alone
    ['linux', false, 'auto', true], // no /proc: ps or top may still run
    ['linux', true, 'ps', true],
    ['linux', true, 'top', true],
    ['darwin', false, 'auto', true],
    ['darwin', true, 'auto', true], // a /proc on macOS is not ours to read
    ['darwin', false, 'top', true],
    ['darwin', false, 'procfs', false],
    ['freebsd', true, 'auto', true],
    ['freebsd', false, 'ps', true],
    ['freebsd', false, 'top', false], // top does not run on the BSDs whatever the probe says
    ['openbsd', false, 'auto', true],
    ['netbsd', false, 'auto', true],
    ['win32', false, 'auto', false], // nothing runs there: the error needs no spawn
    ['win32', false, 'ps', false],
    ['aix', true, 'auto', false],
    ['sunos', false, 'top', false],
  ] as const)('%s, /proc readable: %s, --sampler %s: %s', (platform, procfs, requested, expected) => {
    expect(needsCommandProbe(platform, procfs, requested)).toBe(expected);
  });

  /** selectPlatform's answer: the entry's name or the error's message. */
  const outcome = (platform: NodeJS.Platform, probe: PlatformProbe, requested: SamplerName | 'auto'): string => {
    try {
      return selectPlatform(platform, probe, requested).name;
    } catch (err) {
      return (err as Error).message;
    }
  };

  test.each(OSES)('%s: whenever it says no, the ps/top probe could not change the choice', (platform) => {
    const found: PlatformProbe[] = [
      { procfs: false },
      { procfs: false, ps: 'bsd', top: 'macos' },
      { procfs: false, ps: 'procps' },
      { procfs: false, top: 'busybox' },
    ];
    for (const procfs of [true, false]) {
      for (const requested of REQUESTS) {
        if (needsCommandProbe(platform, procfs, requested)) continue;
        const decided = outcome(platform, { procfs }, requested);
        for (const f of found) expect(outcome(platform, { ...f, procfs }, requested)).toBe(decided);
      }
    }
  });
});

describe('choosePlatform', () => {
  // The module object itself (an import namespace is read-only): probe.ts reads execFile from it at each call.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the mutable module object, see above
  const childProcess = require('child_process') as typeof import('child_process');
  afterEach(() => jest.restoreAllMocks());

  it('on Linux with /proc, auto and procfs spawn nothing', async () => {
    const spawned = jest.spyOn(childProcess, 'execFile');
    for (const requested of ['auto', 'procfs'] as const) {
      const { entry, probe } = await choosePlatform('/proc', requested, 'linux');
      expect(entry.name).toBe('procfs');
      expect(probe).toEqual({ procfs: true });
    }
    expect(spawned).not.toHaveBeenCalled();
  });
  it('probes ps/top once when they are asked for or /proc is missing', async () => {
    const spawned = jest.spyOn(childProcess, 'execFile');
    expect((await choosePlatform('/proc', 'ps', 'linux')).probe).toEqual({ procfs: true, ps: 'procps', top: 'procps' });
    expect(spawned).toHaveBeenCalledTimes(2); // ps --version, top -V
    const noProc = await choosePlatform('/nonexistent', 'auto', 'linux');
    expect(noProc.entry.name).toBe('ps');
    expect(noProc.probe.procfs).toBe(false);
  });
  it('still names what a sampler needs when nothing can run', async () => {
    await expect(choosePlatform('/proc', 'top', 'freebsd')).rejects.toThrow(/sampler top does not run on freebsd/);
  });
});
