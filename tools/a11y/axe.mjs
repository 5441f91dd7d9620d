// axe-core (WCAG 2.0/2.1 A and AA) in headless Chromium over each HTML document named,
// and a reflow check at phone width (390 px: nothing wider than the screen).
// Usage: node axe.mjs FILE.html ...   Prints each violation; exits 1 on any, 2 on a failure to run.
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const axeVersion = require("axe-core/package.json").version;
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
// The machine has no network beyond package registries: nothing in the browser reaches out.
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

// A phone's screen, for the reflow check.
const PHONE = { width: 390, height: 844 };
const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node axe.mjs FILE.html ...");
  process.exit(2);
}
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const profile = mkdtempSync(join(tmpdir(), "lscplan-a11y-"));
let context;
let total = 0;
try {
  // A persistent context on a fresh folder: the --user-data-dir is ours, removed afterwards.
  context = await chromium.launchPersistentContext(profile, {
    executablePath, headless: true, args: FLAGS, bypassCSP: true, offline: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  for (const file of files) {
    await page.goto(pathToFileURL(resolve(file)).href, { waitUntil: "load" });
    // Injected through the DevTools protocol: the documents' Content-Security-Policy stays as built.
    await page.evaluate(axeSource);
    const result = await page.evaluate(
      (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }),
      TAGS,
    );
    let count = 0;
    for (const v of result.violations) {
      for (const node of v.nodes) {
        count += 1;
        console.log(`${file}: ${v.id} (${v.impact ?? node.impact}) at ${node.target.join(" ")}: ${v.help}`);
      }
    }
    // Reflow (WCAG 1.4.10): at phone width (390 px) nothing but a data table runs off the
    // screen sideways.
    const wide = page.viewportSize();
    await page.setViewportSize(PHONE);
    const overflow = await page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      return [...document.querySelectorAll("body *")]
        .filter((el) => el.getBoundingClientRect().right > width + 1
          && getComputedStyle(el).position !== "absolute"
          && !el.closest("table"))  // a data table may scroll (1.4.10's exception)
        .slice(0, 5).map((el) => {
          const cls = (el.getAttribute("class") || "").split(" ")[0];
          return el.tagName.toLowerCase() + (cls ? "." + cls : "");
        });
    });
    if (wide) await page.setViewportSize(wide);
    for (const target of overflow) {
      count += 1;
      console.log(`${file}: reflow (serious) at ${target}: wider than a ${PHONE.width} px screen`);
    }
    console.log(`${file}: ${count} violation${count === 1 ? "" : "s"} (axe-core ${axeVersion}, WCAG 2.0/2.1 A and AA; reflow at ${PHONE.width} px)`);
    total += count;
  }
} catch (err) {
  console.error(`a11y: could not run axe-core in Chromium (${executablePath}): ${err.message}`);
  process.exitCode = 2;
} finally {
  if (context) await context.close();
  rmSync(profile, { recursive: true, force: true });
}
if (process.exitCode !== 2) {
  console.log(`a11y: ${total} violation${total === 1 ? "" : "s"} in ${files.length} document${files.length === 1 ? "" : "s"}`);
  if (total > 0) process.exitCode = 1;
}
