// Opens a flame graph SVG in headless Chromium and does what a person
// would: hover a frame, click one to zoom, search, reset.  Prints what the
// page showed at each step as JSON, for tests/flamegraph.bats to check.
//
// node flamegraph-check.mjs FILE.svg HOVER CLICK REGEX SCREENSHOT.png
import { openPage } from "./open-page.mjs";
import path from "node:path";

const [file, hoverName, clickName, regex, shot] = process.argv.slice(2);
const { browser, page, errors } = await openPage({ width: 1250, height: 700 });

// The frame whose name (its title up to " (") is `name`.
const frame = (name) => page.locator("g.f").filter({
	has: page.locator("title", { hasText: new RegExp("^" + name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + " \\(") }),
}).first();
const boxes = () => page.$$eval("g.f", (gs) => gs.map((g) => ({
	name: g.querySelector("title").textContent.replace(/ \([^(]*\)$/, ""),
	width: +g.querySelector("rect").getAttribute("width"),
	shown: getComputedStyle(g).display !== "none",
	fill: g.querySelector("rect").getAttribute("fill"),
	label: g.querySelector("text").textContent,
})));

await page.goto("file://" + path.resolve(file));
await page.waitForLoadState("load");
const result = { frames: await page.locator("g.f").count() };

await frame(hoverName).hover();
result.hover = await page.textContent("#details");

await frame(clickName).click();
result.zoomed = await boxes();
result.unzoomVisible = await page.$eval("#unzoom", (e) => getComputedStyle(e).opacity);

page.once("dialog", (d) => d.accept(regex));
await page.click("#search");
result.matched = await page.textContent("#matched");
result.highlighted = await page.$$eval("g.f.match title", (ts) => ts.map((t) => t.textContent.replace(/ \([^(]*\)$/, "")));

await page.click("#unzoom");
result.reset = await boxes();
await page.screenshot({ path: shot });
result.errors = errors;
await browser.close();
process.stdout.write(JSON.stringify(result) + "\n");
