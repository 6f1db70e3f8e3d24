// Comunica's own SPARQL endpoint (HttpServiceSparqlEndpoint, what bin/http.js runs) with the query
// engine that @comunica/query-sparql-file ships precompiled from the same config (engine-default.js,
// built from config/config-default.json). bin/http.js instead instantiates config-default.json through
// Components.js at run time, in the master process (which never queries) and again in every worker:
// measured 12 s of CPU each on this 2-core machine, against 1 s for the precompiled engine.
// Usage: node endpoint.cjs FILE -p PORT [the other options of comunica-sparql-file-http]
"use strict";
const path = require("path");
const { HttpServiceSparqlEndpoint, QueryEngineFactoryBase } = require("@comunica/actor-init-query");
const { QueryEngine } = require("@comunica/query-sparql-file");

const root = path.dirname(require.resolve("@comunica/query-sparql-file/package.json"));
const defaultConfig = path.join(root, "config", "config-default.json");

QueryEngineFactoryBase.prototype.create = async function create(options) {
  if (options && options.configPath && path.resolve(options.configPath) !== defaultConfig) {
    throw new Error(`endpoint.cjs runs only the default config, not ${options.configPath}`);
  }
  return new QueryEngine();
};

HttpServiceSparqlEndpoint.runArgsInProcess(
  process.argv.slice(2), process.stdout, process.stderr, `${root}/`, process.env, defaultConfig,
  (code) => process.exit(code),
).catch((error) => process.stderr.write(`${error.message}\n`));
