#!/usr/bin/env node
// `npm run package:cli`: the `dps-enrollments` command as an npm package a pipeline installs without this
// repository: `npm install -g ./dps-enrollments-cli-<version>.tgz` (or from a release). The bundles carry
// every dependency, so the package declares none and installs offline. Prints its size and files.
//
//   npm run package:cli                      -> ./dps-enrollments-cli-<version>.tgz
//   npm run package:cli -- --out-dir DIR     -> DIR/dps-enrollments-cli-<version>.tgz
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
export const CLI_PACKAGE_NAME = `${manifest.name}-cli`;

// What the package says about itself; the main README documents every command and option.
const README = `# ${CLI_PACKAGE_NAME}

The \`dps-enrollments\` command: Azure IoT Hub Device Provisioning Service enrollments as code
(\`plan\`, \`apply\`, \`drift\`, \`export\`), streamed \`import\`, \`derive-keys\` and \`provision-test-device\`,
for pipelines. Node.js 20 or later; no other dependency.

    npm install -g ./${CLI_PACKAGE_NAME}-${manifest.version}.tgz
    DPS_CONNECTION_STRING='HostName=…;SharedAccessKeyName=…;SharedAccessKey=…' dps-enrollments plan dps/production.dps.json
    dps-enrollments --help

Exit codes: 0 no changes or success, 2 changes planned or drift found, 1 error.
`;

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal}).`);
  return r.stdout;
}

/** Builds the production CLI bundles and packs them; returns the .tgz path. */
export function packageCli({ outDir = repoRoot, log = console.log } = {}) {
  const stage = join(repoRoot, '.cache', 'package-cli-stage');
  const build = join(stage, 'build');
  const pack = join(stage, 'package');
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(pack, { recursive: true });
  const built = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs'), '--production', '--out-root', build], { cwd: repoRoot, stdio: 'inherit' });
  if (built.status !== 0) throw new Error(`The production build failed (exit ${built.status ?? built.signal}).`);
  for (const file of ['cli.js', 'cli-identity.js']) copyFileSync(join(build, 'dist', file), join(pack, file));
  copyFileSync(join(repoRoot, 'LICENSE'), join(pack, 'LICENSE'));
  writeFileSync(join(pack, 'README.md'), README);
  writeFileSync(join(pack, 'package.json'), JSON.stringify({
    name: CLI_PACKAGE_NAME,
    version: manifest.version,
    description: 'Azure IoT Hub DPS enrollments as code: plan, apply, drift, export, import, device keys and test devices.',
    license: manifest.license,
    bin: { 'dps-enrollments': 'cli.js' },
    files: ['cli.js', 'cli-identity.js'],
    engines: { node: '>=20' },
  }, null, 2) + '\n');
  mkdirSync(outDir, { recursive: true });
  const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', resolve(outDir)], pack));
  rmSync(stage, { recursive: true, force: true });
  const tgz = join(resolve(outDir), packed.filename);
  const bytes = statSync(tgz).size;
  log(`${relative(process.cwd(), tgz) || tgz}: ${bytes} bytes (${(bytes / 1024).toFixed(1)} KiB), unpacked ${(packed.unpackedSize / 1024).toFixed(1)} KiB, ${packed.files.length} files:`);
  for (const file of packed.files) log(`  ${file.path}`);
  return tgz;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outArg = process.argv.indexOf('--out-dir');
  try {
    packageCli({ outDir: outArg >= 0 ? process.argv[outArg + 1] : undefined });
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
