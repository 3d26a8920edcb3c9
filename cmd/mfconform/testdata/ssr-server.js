// ssr-server.js is an app's own server side on the real @supabase/ssr:
// GET /whoami builds createServerClient(MF_PROJECT_URL, MF_PROJECT_KEY)
// over the request's Cookie header, as the Express recipe in Supabase's
// server-side auth docs does, and answers {"id"} when
// supabase.auth.getUser() names a user, else {"reason"}. It listens on
// 127.0.0.1 at an ephemeral port and prints that port as its first line.
// cmd/mfconform's tests (nodessr_test.go) run it; it is no part of mfconform.
'use strict';
const dns = require('node:dns');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');

const env = process.env;
for (const name of ['MF_NODE_MODULES', 'MF_PROJECT_URL', 'MF_PROJECT_KEY', 'MF_TEST_HOSTS_TO']) {
  if (!env[name]) {
    console.error(`ssr-server.js: ${name} is not set`);
    process.exit(2);
  }
}

// Names under .test resolve to MF_TEST_HOSTS_TO (a loopback address), a
// loopback address to itself (server.listen looks its host up too); any
// other name fails, so nothing leaves the machine. Node 20's fetch (its
// bundled undici, lib/internal/deps/undici: buildConnector) opens its
// socket with tls.connect({ host: hostname, servername, ... }) and no
// lookup option; net.js lookupAndConnect then calls
// `options.lookup || dns.lookup`, reading dns.lookup at each connection
// (with { all: true } under autoSelectFamily, Node 20's default), so
// replacing it here maps every fetch supabase-js makes while TLS still
// checks the certificate for the real name (servername).
const testHosts = /\.test\.?$/i;
dns.lookup = function lookup(hostname, options, callback) {
  if (typeof options === 'function') {
    callback = options;
    options = {};
  }
  let address = env.MF_TEST_HOSTS_TO;
  if (net.isIPv4(hostname) && hostname.startsWith('127.')) {
    address = hostname;
  } else if (!testHosts.test(String(hostname))) {
    const err = new Error(`ssr-server.js resolves only .test names, not ${hostname}`);
    err.code = 'ENOTFOUND';
    process.nextTick(callback, err);
    return;
  }
  if (options && options.all) {
    process.nextTick(callback, null, [{ address, family: 4 }]);
  } else {
    process.nextTick(callback, null, address, 4);
  }
};

const { createServerClient, parseCookieHeader } = require(path.join(env.MF_NODE_MODULES, '@supabase', 'ssr'));

// boundedFetch is fetch with a deadline: supabase-js sets none of its own.
function boundedFetch(input, init = {}) {
  const deadline = AbortSignal.timeout(10000);
  const signal = init.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
  return fetch(input, { ...init, signal });
}

function answer(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

const server = http.createServer(async (req, res) => {
  if (req.method !== 'GET' || req.url !== '/whoami') {
    answer(res, 404, { reason: 'not found' });
    return;
  }
  try {
    const supabase = createServerClient(env.MF_PROJECT_URL, env.MF_PROJECT_KEY, {
      global: { fetch: boundedFetch },
      cookies: {
        getAll() {
          return parseCookieHeader(req.headers.cookie ?? '');
        },
        setAll() {}, // a route handler that only reads the session
      },
    });
    const { data, error } = await supabase.auth.getUser();
    if (error || !data || !data.user) {
      answer(res, 200, { reason: error ? `${error.name}: ${error.message}` : 'getUser() returned no user' });
      return;
    }
    answer(res, 200, { id: data.user.id });
  } catch (e) {
    answer(res, 500, { reason: `createServerClient failed: ${e && e.message}` });
  }
});
server.requestTimeout = 20000;
server.listen(0, '127.0.0.1', () => {
  console.log(server.address().port);
});
