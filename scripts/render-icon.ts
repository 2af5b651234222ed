// Renders the marketplace icon media/icon.png (128x128) from media/icons/dps.svg, the activity-bar
// glyph: white strokes on an Azure-blue rounded square, drawn by the project's Chromium.
//   node --import tsx scripts/render-icon.ts
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { launchChromium } from './browser';

const repoRoot = path.resolve(__dirname, '..');
const svg = readFileSync(path.join(repoRoot, 'media', 'icons', 'dps.svg'), 'utf8');
const out = path.join(repoRoot, 'media', 'icon.png');

async function main(): Promise<void> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 128, height: 128 }, deviceScaleFactor: 1 });
    await page.setContent(
      `<html><body style="margin:0;background:transparent">` +
        `<div style="width:128px;height:128px;border-radius:24px;background:#0078d4;color:#fff;display:flex;align-items:center;justify-content:center">` +
        // The 24-unit glyph scaled to 96 px; currentColor makes its strokes white.
        svg.replace('width="24" height="24"', 'width="96" height="96"') +
        `</div></body></html>`,
    );
    await page.screenshot({ path: out, omitBackground: true, clip: { x: 0, y: 0, width: 128, height: 128 } });
    console.log(`wrote ${path.relative(repoRoot, out)}`);
  } finally {
    await browser.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
