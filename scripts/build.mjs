#!/usr/bin/env node
// Two bundles: the extension (Node, cjs, `vscode` external) and the webview page (browser).
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
// `--out-root DIR` writes dist/ and media/dist/ under DIR: scripts/package.mjs builds its production
// bundles into a staging folder, so the dev bundles in ./dist that tests use stay as they are.
const outRootArg = process.argv.indexOf('--out-root');
const outRoot = outRootArg >= 0 ? process.argv[outRootArg + 1] : '.';

// node-forge's jsbn probes the `navigator` global; VS Code's extension host (Node 21+) reports any such
// access as a PendingMigrationError. Node-side bundles never run in a browser, so the probe is compiled out.
const nodeDefines = { navigator: 'undefined' };
// jsonc-parser's UMD main requires its modules by computed paths esbuild cannot follow; its ES module build bundles.
const nodeAlias = { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' };

// @azure/identity (about 2 MB) serves only `--auth entra`: dist/cli.js loads it from its own bundle
// beside it, dist/cli-identity.js, when that path is taken, so every other command starts as fast as before.
const identitySidecar = {
  name: 'identity-sidecar',
  setup(build) {
    build.onResolve({ filter: /^@azure\/identity$/ }, () => ({ path: './cli-identity.js', external: true }));
  },
};

const builds = [
  {
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    bundle: true, platform: 'node', format: 'cjs', target: 'node20',
    external: ['vscode'],
    define: nodeDefines,
    alias: nodeAlias,
    sourcemap: !production, minify: production,
  },
  {
    entryPoints: ['src/emulator/cli.ts'],
    outfile: 'dist/emulator.js',
    bundle: true, platform: 'node', format: 'cjs', target: 'node20',
    define: nodeDefines,
    alias: nodeAlias,
    sourcemap: !production, minify: production,
  },
  {
    // The `dps-enrollments` command for pipelines (package.json "bin"): no vscode, a node shebang.
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    bundle: true, platform: 'node', format: 'cjs', target: 'node20',
    define: nodeDefines,
    alias: nodeAlias,
    banner: { js: '#!/usr/bin/env node' },
    plugins: [identitySidecar],
    sourcemap: !production, minify: production,
  },
  {
    stdin: { contents: "module.exports = require('@azure/identity');", resolveDir: '.', loader: 'js' },
    entryPoints: [],
    outfile: 'dist/cli-identity.js',
    bundle: true, platform: 'node', format: 'cjs', target: 'node20',
    sourcemap: !production, minify: production,
  },
];
if (existsSync('src/enrollmentForm/page/main.ts')) {
  builds.push({
    entryPoints: ['src/enrollmentForm/page/main.ts'],
    outfile: 'media/dist/form.js',
    bundle: true, platform: 'browser', format: 'iife', target: 'es2022',
    sourcemap: !production, minify: production,
  });
}

if (existsSync('src/jobsView/page/main.ts')) {
  builds.push({
    entryPoints: ['src/jobsView/page/main.ts'],
    outfile: 'media/dist/jobs.js',
    bundle: true, platform: 'browser', format: 'iife', target: 'es2022',
    sourcemap: !production, minify: production,
  });
}

for (const options of builds.filter((b) => b.entryPoints.every((e) => existsSync(e)))) {
  options.outfile = join(outRoot, options.outfile);
  if (watch) {
    const ctx = await esbuild.context(options);
    await ctx.watch();
  } else {
    await esbuild.build(options);
    console.log('built', options.outfile);
  }
}
