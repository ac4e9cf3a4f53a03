// Makes `import … from 'electron'` resolve to the electron test host for every module loaded after it, the
// app's built bundle included (Node's module customization hooks run for native imports, not for vitest's).
export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'electron') return { url: new URL('./electron.ts', import.meta.url).href, shortCircuit: true };
  return nextResolve(specifier, context);
}
