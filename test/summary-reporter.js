// Ends a jest run with one plain line, `tests: N passed, N failed, N skipped`, that any CI can read.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests: passed, numFailedTests: failed, numPendingTests: skipped, numTodoTests: todo } = results;
    process.stdout.write(`\ntests: ${passed} passed, ${failed + results.numRuntimeErrorTestSuites} failed, ${skipped + todo} skipped\n`);
  }
}
module.exports = SummaryReporter;
