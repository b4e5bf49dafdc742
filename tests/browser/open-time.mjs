// How long headless Chromium takes to open a page or an SVG: seconds from
// navigation to the load event (scripts run, the document drawn), printed
// on one line; for tests/bench/flamegraph.sh.  Fails on a console error or
// on anything fetched.
//
// node open-time.mjs FILE
import { openPage } from "./open-page.mjs";
import path from "node:path";

const file = process.argv[2];
const { browser, page, errors } = await openPage({ width: 1250, height: 700 });
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
