/**
 * How the desktop app starts, decided from its command line and environment before any
 * window opens — pure, so it is tested without Electron:
 *
 *   Rushes                          the engine in this process, on the usual data home
 *   Rushes --home DIR --config F    the same on another home or config file
 *   Rushes --attach URL             a daemon already running (RUSHES_TOKEN: its token)
 *
 * and which addresses the window may show: only the served UI's own origin.
 */

export type LaunchPlan = { mode: 'in-process'; home?: string; config?: string } | { mode: 'attach'; url: string; token?: string };

function optionValue(argv: readonly string[], name: string): string | undefined {
  const i = argv.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return undefined;
  const arg = argv[i]!;
  const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[i + 1];
  if (!value || value.startsWith('--')) throw new Error(`${name} needs a value`);
  return value;
}

export function launchPlan(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): LaunchPlan {
  const attach = optionValue(argv, '--attach');
  if (attach !== undefined) {
    let url: URL;
    try {
      url = new URL(attach);
    } catch {
      throw new Error(`--attach wants the daemon's address, like http://127.0.0.1:7420 (got "${attach}")`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`--attach wants an http or https address (got "${attach}")`);
    return { mode: 'attach', url: url.origin, token: env.RUSHES_TOKEN || undefined };
  }
  return { mode: 'in-process', home: optionValue(argv, '--home'), config: optionValue(argv, '--config') };
}

/**
 * The address the window opens: the served UI, with the per-launch secret in the fragment —
 * the page trades it for a session cookie and drops it; a fragment is never sent to a server.
 */
export function windowUrl(base: string, token: string | undefined): string {
  return token ? `${base}/#token=${encodeURIComponent(token)}` : `${base}/#/cards`;
}

/** Whether the window may go to `url`: the UI's own origin only (a link elsewhere is never opened inside the app). */
export function isAppUrl(url: string, base: string): boolean {
  try {
    return new URL(url).origin === new URL(base).origin;
  } catch {
    return false;
  }
}
