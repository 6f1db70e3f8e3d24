// Preloaded (NODE_OPTIONS=--require) by tests/external_stores.py: Comunica's HTTP endpoint has no
// host option and listens on every interface; this binds servers that give only a port to 127.0.0.1.
"use strict";
const net = require("net");
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if ((typeof args[0] === "number" || typeof args[0] === "string") && /^\d+$/.test(String(args[0]))
      && (args.length === 1 || typeof args[1] === "function")) {
    args.splice(1, 0, "127.0.0.1");
  }
  return listen.apply(this, args);
};
