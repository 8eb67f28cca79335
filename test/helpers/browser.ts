import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Locator,
  type Page,
} from 'playwright-core';
import { DEMO_DIR } from '../../src/common/http/demo-assets.js';
import { expectEventually } from './eventually.js';

/** Debian's Chromium (`apt-get install -y chromium`): the tests never download a browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Headless, without the sandbox (CI runs as root), and without the background
 * traffic (updates, sync, field trials) that this machine's closed network
 * refuses, which would only slow the start and fill the log.
 */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Screenshots of the browser suite (ignored by git). */
export const ARTIFACTS_DIR = path.resolve('test-artifacts');

/**
 * Why the browser suite cannot run, or null when it can. A missing browser is
 * a skip on a developer's machine (with this message) and a failure in CI,
 * where `.ci/run` installs it; a missing build is always a failure.
 */
export function browserSuiteBlocker(): { message: string; fatal: boolean } | null {
  if (!existsSync(path.join(DEMO_DIR, 'index.html'))) {
    return { message: `The demo is not built in ${DEMO_DIR}: run \`npm run build\``, fatal: true };
  }
  if (!existsSync(CHROMIUM_PATH)) {
    return {
      message:
        `Browser tests need Chromium at ${CHROMIUM_PATH} (\`apt-get install -y chromium\`, ` +
        'or CHROMIUM_PATH=...): none found',
      fatal: Boolean(process.env.CI),
    };
  }
  return null;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

export interface BrowserUser {
  context: BrowserContext;
  page: Page;
  /** Errors the page threw, which fail the test that reads them. */
  pageErrors: string[];
}

/** A browser context of its own (own storage, own network switch) on the app. */
export async function openApp(browser: Browser, baseUrl: string): Promise<BrowserUser> {
  // A fresh context has an empty profile: no session leaks between users.
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: { width: 1200, height: 720 },
  });
  // Well inside Jest's 30 s per test, so a missing element fails with its locator.
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto('/');
  return { context, page, pageErrors };
}

/** Logs in through the form, then waits for the live connection. */
export async function logIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await connectionIs(page, 'open');
}

/** Waits until the connection indicator shows `state` (the client's state events). */
export async function connectionIs(page: Page, state: string): Promise<void> {
  await page.locator(`[data-testid="connection"][data-state="${state}"]`).waitFor();
}

/** Waits until `locator` matches exactly `count` elements, and returns their texts. */
export async function expectCount(locator: Locator, count: number): Promise<string[]> {
  return expectEventually(async () => {
    const n = await locator.count();
    if (n !== count) throw new Error(`expected ${count} elements, found ${n}`);
    return locator.allInnerTexts();
  });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
