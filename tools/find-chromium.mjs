// Pre-test step: the e2e suite drives Debian's Chromium (never a downloaded browser) and Dawn for Node
// needs the Vulkan loader plus SwiftShader's ICD when there is no GPU. Install them on Debian as root,
// otherwise say in one line what to do.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const needs = [];
if (!existsSync(CHROMIUM)) needs.push('chromium');
if (!['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1'].some(existsSync)) needs.push('libvulkan1');

if (needs.length === 0) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const isDebian = existsSync('/etc/debian_version');
if (isRoot && isDebian) {
  console.log(`installing ${needs.join(' ')} with apt-get ...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', ...needs], { stdio: 'inherit', env });
  process.exit(0);
}
console.error(`Missing ${needs.join(' and ')}: run \`sudo apt-get install -y ${needs.join(' ')}\` (or set CHROMIUM_PATH to a Chromium with WebGPU).`);
process.exit(1);
