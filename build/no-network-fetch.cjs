'use strict';
/**
 * Stands in for node-fetch in the bundles (build/build.mjs `alias`). vega-loader requires
 * node-fetch when it loads, for specs that name data by URL; this tool hands vega its data
 * inline and never fetches, and node-fetch alone pulls http, https, zlib and a 300 KB URL
 * library (tr46) into every run. A spec that did ask for a URL fails here, loudly.
 */
module.exports = function fetchIsNotBundled(url) {
  return Promise.reject(new Error(`network fetch of ${url} is not part of this tool's bundles (build/no-network-fetch.cjs)`));
};
