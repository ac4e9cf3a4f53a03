import type { Reporter, TestModule, TestSuite } from 'vitest/node';

/**
 * Ends a run with one plain line, `tests: N passed, N failed, N skipped`, the closing line CI reads
 * (it does not parse vitest's own summary). Errors outside tests count as failures: a file that did
 * not load, and a suite or file whose `beforeAll`/`afterAll` threw (vitest then reports the tests it
 * kept from running as skipped, so without this the line would read as a pass). Each such error is
 * printed above the line, so the line never stands without its cause.
 */
export default class CountReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    const counts = { passed: 0, failed: unhandledErrors.length, skipped: 0 };
    const outsideTests: string[] = [];
    for (const module of testModules) {
      for (const suite of [module, ...module.children.allSuites()]) {
        const errors = suite.errors();
        if (errors.length === 0) continue;
        counts.failed++;
        for (const error of errors) outsideTests.push(`failed outside a test: ${nameOf(suite)}: ${error.name ?? 'Error'}: ${error.message}`);
      }
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') counts.passed++;
        else if (state === 'failed') counts.failed++;
        else counts.skipped++;
      }
    }
    const causes = outsideTests.length > 0 ? `\n${outsideTests.join('\n')}` : '';
    process.stdout.write(`${causes}\ntests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
  }
}

function nameOf(suite: TestModule | TestSuite): string {
  return suite.type === 'module' ? suite.relativeModuleId : `${suite.module.relativeModuleId} > ${suite.fullName}`;
}
