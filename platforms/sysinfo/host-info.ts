import * as os from 'os';
import * as si from 'systeminformation';

/**
 * Static facts for the `hostpulse_host_info` labels, read once at start-up:
 * os is the distribution and release where known (`Debian GNU/Linux 12`),
 * else the platform; kernel is the kernel release.
 */
export async function hostInfo(): Promise<{ os: string; kernel: string }> {
  const info = await si.osInfo();
  const name = [info.distro, info.release].filter((s) => s && s !== 'unknown').join(' ');
  return { os: name || info.platform || os.platform(), kernel: info.kernel || os.release() };
}
