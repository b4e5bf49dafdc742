// Shared by the browser checks: Debian's chromium, headless, driven by
// playwright-core (no browser of its own downloaded), and a page that
// records what a person would call an error: a console error, an uncaught
// exception, anything fetched from elsewhere than file://.
import { chromium } from "playwright-core";

export async function openPage(viewport) {
	const browser = await chromium.launch({
		executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
		args: ["--no-sandbox", "--disable-gpu"],
	});
	const page = await browser.newPage({ viewport });
	const errors = [];

	page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
	page.on("pageerror", (e) => errors.push(String(e)));
	page.on("request", (r) => { if (!r.url().startsWith("file:")) errors.push("fetched " + r.url()); });
	return { browser, page, errors };
}
