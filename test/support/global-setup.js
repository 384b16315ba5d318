// One temporary root per test run; every synth in the tests writes below it and teardown removes it.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

module.exports = async () => {
  process.env.TEST_TMP_ROOT = fs.mkdtempSync(path.join(os.tmpdir(), 'monitoring-synth-tests-'));
};
