// Node's own import(), for modules that must load as Node loads them (vitest runs test code in a context whose
// import() it transforms). Required through Node's require, so this file itself is not transformed.
module.exports = (specifier) => import(specifier);
