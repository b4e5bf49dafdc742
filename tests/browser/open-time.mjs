// How long headless Chromium takes to open a page or an SVG: seconds from
// navigation to the load event (scripts run, the document drawn), printed
// on one line; for tests/bench/flamegraph.sh.  Fails on a console error.
//
// node open-time.mjs FILE
import { chromium } from "playwright-core";
import path from "node:path";

const file = process.argv[2];
const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
	args: ["--no-sandbox", "--disable-gpu"],
});
const page = await browser.newPage({ viewport: { width: 1250, height: 700 } });
const errors = [];

page.on("pageerror", (e) => errors.push(String(e)));
page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
const start = Date.now();
await page.goto("file://" + path.resolve(file), { waitUntil: "load", timeout: 60000 });
// one frame painted after load
await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
const seconds = (Date.now() - start) / 1000;
await browser.close();
if (errors.length) {
	process.stderr.write(errors.join("\n") + "\n");
	process.exit(1);
}
process.stdout.write(seconds.toFixed(3) + "\n");
