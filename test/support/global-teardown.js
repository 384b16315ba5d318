const fs = require('node:fs');

module.exports = async () => {
  if (process.env.TEST_TMP_ROOT) fs.rmSync(process.env.TEST_TMP_ROOT, { recursive: true, force: true });
};
