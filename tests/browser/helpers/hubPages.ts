/**
 * The Hub's own pages, as a person uses them: the login form and the spawn
 * form with its image choice.
 */
import { Page } from 'playwright-core';

import { IHub } from '../../harness/hub';

/** How long a server may take to start on a busy two-core machine. */
export const SPAWN_TIMEOUT = 90000;

/** Whether the page shows the Hub's login form. */
export function isHubLoginPage(page: Page, hub: IHub): boolean {
  return new URL(page.url()).pathname === `${hub.baseUrl}hub/login`;
}

/** Fill in and send the Hub's login form the page shows. */
export async function logInOnHubPage(
  page: Page,
  hub: IHub,
  user: string
): Promise<void> {
  await page.waitForURL(url => url.pathname === `${hub.baseUrl}hub/login`);
  await page.locator('#username_input').fill(user);
  await page.locator('#password_input').fill(hub.password);
  await Promise.all([
    page.waitForURL(url => url.pathname !== `${hub.baseUrl}hub/login`),
    page.locator('#login_submit').click()
  ]);
}

/**
 * Choose an image in the Hub's spawn form and start the default server;
 * resolves once the browser is on the server (JupyterLab loads next).
 */
export async function startServerFromForm(
  page: Page,
  hub: IHub,
  user: string,
  image: string
): Promise<void> {
  await page.waitForURL(url =>
    url.pathname.startsWith(`${hub.baseUrl}hub/spawn`)
  );
  const select = page.locator('select[name="image"]');
  await select.waitFor();
  await select.selectOption(image);
  await Promise.all([
    page.waitForURL(
      url => url.pathname.startsWith(`${hub.baseUrl}user/${user}/`),
      { timeout: SPAWN_TIMEOUT }
    ),
    page.locator('#spawn_form button[type="submit"]').click()
  ]);
}
