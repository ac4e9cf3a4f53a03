/**
 * The UI's Content-Security-Policy, the same for the desktop window and the web mode: only the app's
 * own scripts (plus WebAssembly compilation), no inline script, no plugins, no framing, no remote fetches
 * beyond `connectSources`.
 */
export function contentSecurityPolicy(connectSources: string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    ["connect-src 'self'", ...connectSources].join(' '),
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
