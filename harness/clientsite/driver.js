// driver.js — the JavaScript side of mfconform's client site. Loaded after
// the real supabase-js browser bundle (global `supabase`), it defines two
// functions on window that chromedp awaits:
//
//   mfCorsProbe({url, key})                      -> {settings, token, clientInfo}
//   mfSupabaseRun({url, key, email, password})   -> {created, createError, signIn, ...}
//
// Both never throw: every step is wrapped and bounded by STEP_TIMEOUT_MS (or
// by args.timeoutMs, a positive number of milliseconds, when given), and
// their answers are plain JSON. Secrets (the key, the password, access and
// refresh tokens) never leave the page: results carry only facts about them,
// and every string in a result is scrubbed of them before it is returned.
(function () {
  "use strict";

  var STEP_TIMEOUT_MS = 10000;
  var SUPABASE_JS_VERSION = "2.119.1";
  // What supabase-js sends when its own value cannot be read (older bundles).
  var FALLBACK_CLIENT_INFO = "supabase-js-web/" + SUPABASE_JS_VERSION;
  var API_VERSION = "2024-01-01";
  var JSON_CONTENT_TYPE = "application/json;charset=UTF-8";
  var PROBE_EMAIL = "cors-probe@invalid.test";
  // REDIRECT_REFUSED names the error of a request the project answered
  // with a redirect; Go reads the redirect itself from Chromium's events.
  var REDIRECT_REFUSED = "RedirectRefused";

  // withTimeout settles with p, or rejects with a TimeoutError after ms.
  function withTimeout(p, ms, what) {
    var timer;
    var timeout = new Promise(function (_, reject) {
      timer = setTimeout(function () {
        var e = new Error(what + " did not settle within " + ms + " ms");
        e.name = "TimeoutError";
        reject(e);
      }, ms);
    });
    return Promise.race([Promise.resolve(p), timeout]).finally(function () { clearTimeout(timer); });
  }

  var stepTimeoutMs = STEP_TIMEOUT_MS;

  // setTimeoutFrom takes args.timeoutMs when it is a positive number.
  function setTimeoutFrom(a) {
    var ms = Number(a && a.timeoutMs);
    stepTimeoutMs = ms > 0 && isFinite(ms) ? ms : STEP_TIMEOUT_MS;
  }

  // step runs fn (which may return a promise) bounded by stepTimeoutMs and
  // answers {value} or {error}; it never rejects.
  async function step(what, fn) {
    try {
      return {value: await withTimeout(Promise.resolve().then(fn), stepTimeoutMs, what)};
    } catch (e) {
      return {error: e};
    }
  }

  function errorText(e) {
    if (e === null || e === undefined) { return ""; }
    try {
      if (e instanceof Error) { return String(e); } // "TypeError: Failed to fetch"
      return String((e && e.message) || e);
    } catch (_) {
      return "unprintable error";
    }
  }

  // describeError copies what supabase-js's error classes carry
  // (AuthApiError, AuthRetryableFetchError, AuthSessionMissingError, …).
  function describeError(e, out) {
    out.ok = false;
    if (e === null || e === undefined) { return out; }
    out.name = typeof e.name === "string" ? e.name : "";
    out.message = typeof e.message === "string" ? e.message : errorText(e);
    out.status = typeof e.status === "number" ? e.status : 0;
    out.code = typeof e.code === "string" ? e.code : "";
    return out;
  }

  function blankResult() {
    return {ok: false, status: 0, code: "", name: "", message: ""};
  }

  // apply runs a supabase-js call answering {data, error} and fills r.
  async function apply(what, fn, r) {
    var s = await step(what, fn);
    if (s.error !== undefined) { describeError(s.error, r); return null; }
    var res = s.value || {};
    if (res.error) { describeError(res.error, r); return res.data || null; }
    r.ok = true;
    return res.data || null;
  }

  function decodeClaims(jwt) {
    try {
      var parts = String(jwt).split(".");
      if (parts.length !== 3) { return null; }
      var b64 = parts[1].replace(/-/g, "+").replace(/_/g, "/");
      while (b64.length % 4) { b64 += "="; }
      var bin = atob(b64);
      var bytes = new Uint8Array(bin.length);
      for (var i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }
      var claims = JSON.parse(new TextDecoder().decode(bytes));
      return claims && typeof claims === "object" ? claims : null;
    } catch (_) {
      return null;
    }
  }

  function storageKeys() {
    try {
      return Object.keys(window.localStorage).sort();
    } catch (_) {
      return [];
    }
  }

  // scrub replaces every occurrence of a secret in every string of v.
  function scrub(v, secrets) {
    secrets = secrets.filter(function (s) { return typeof s === "string" && s.length >= 4; });
    function walk(x) {
      if (typeof x === "string") {
        secrets.forEach(function (s) { x = x.split(s).join("[redacted]"); });
        return x;
      }
      if (Array.isArray(x)) { return x.map(walk); }
      if (x && typeof x === "object") {
        var o = {};
        Object.keys(x).forEach(function (k) { o[k] = walk(x[k]); });
        return o;
      }
      return x;
    }
    return walk(v);
  }

  function trimSlash(u) { return String(u || "").replace(/\/+$/, ""); }

  // noRedirectFetch is fetch that never follows a redirect: every request
  // to the project carries the key, and some the password or a token; a
  // redirect would send them to wherever it points, another origin
  // included (a 307 keeps the method and the body). The redirect is not
  // taken ("manual": the Fetch standard's opaque-redirect response) and
  // the request fails with REDIRECT_REFUSED. supabase-js uses it as its
  // fetch (createClient's global.fetch option).
  function noRedirectFetch(input, init) {
    var opts = Object.assign({}, init || {}, {redirect: "manual"});
    return fetch(input, opts).then(function (res) {
      if (res.type === "opaqueredirect") {
        var e = new Error("the project answered with a redirect; mfconform's client does not follow it");
        e.name = REDIRECT_REFUSED;
        throw e;
      }
      return res;
    });
  }

  // clientInfo reads the X-Client-Info value a real client of this bundle
  // sends from this browser (e.g. "supabase-js/2.119.1; runtime=chrome; …").
  function clientInfo(url, key) {
    try {
      var c = supabase.createClient(url, key, {
        auth: {persistSession: false, autoRefreshToken: false, detectSessionInUrl: false},
        global: {fetch: noRedirectFetch},
      });
      var v = c && c.headers && c.headers["X-Client-Info"];
      if (typeof v === "string" && v) { return v; }
    } catch (_) { /* fall back */ }
    return FALLBACK_CLIENT_INFO;
  }

  // probe fetches like supabase-js's auth client: same method, headers and
  // body shape, mode cors, no credentials, no redirect followed.
  async function probe(what, url, init) {
    var r = {ok: false, status: 0, error: ""};
    var s = await step(what, function () { return noRedirectFetch(url, init); });
    if (s.error !== undefined) { r.error = errorText(s.error); return r; }
    r.ok = true;
    r.status = s.value.status;
    await step(what + " body", function () { return s.value.text(); });
    return r;
  }

  window.mfCorsProbe = async function (args) {
    var a = args || {};
    var out = {settings: {ok: false, status: 0, error: ""}, token: {ok: false, status: 0, error: ""}, clientInfo: ""};
    try {
      setTimeoutFrom(a);
      var base = trimSlash(a.url);
      var key = String(a.key || "");
      out.clientInfo = clientInfo(base, key);
      var headers = {
        "apikey": key,
        "Authorization": "Bearer " + key,
        "X-Client-Info": out.clientInfo,
        "X-Supabase-Api-Version": API_VERSION,
      };
      // supabase-js sends Content-Type (and a body) only on non-GET requests.
      out.settings = await probe("GET /auth/v1/settings", base + "/auth/v1/settings",
        {method: "GET", headers: headers, mode: "cors", credentials: "same-origin", cache: "no-store"});
      var postHeaders = Object.assign({"Content-Type": JSON_CONTENT_TYPE}, headers);
      out.token = await probe("POST /auth/v1/token", base + "/auth/v1/token?grant_type=password",
        {method: "POST", headers: postHeaders, mode: "cors", credentials: "same-origin", cache: "no-store",
          body: JSON.stringify({email: PROBE_EMAIL, password: "x"})});
    } catch (e) {
      out.settings.error = out.settings.error || errorText(e);
    }
    return scrub(out, [a && a.key]);
  };

  window.mfSupabaseRun = async function (args) {
    var a = args || {};
    var secrets = [a.key, a.password];
    var out = {
      created: false, createError: "",
      signIn: Object.assign(blankResult(), {userId: "", expiresAt: 0}),
      session: {present: false, expiresAt: 0, tokenType: "", hasRefreshToken: false, userId: ""},
      getUser: Object.assign(blankResult(), {userId: ""}),
      refresh: Object.assign(blankResult(), {changed: false}),
      signOut: blankResult(),
      afterSignOut: {present: false, storageKeys: []},
      storageKeys: [],
      accessTokenClaims: null,
    };
    try {
      setTimeoutFrom(a);
      var client;
      try {
        client = supabase.createClient(String(a.url || ""), String(a.key || ""), {
          auth: {persistSession: true, autoRefreshToken: false, detectSessionInUrl: false},
          global: {fetch: noRedirectFetch},
        });
        out.created = true;
      } catch (e) {
        out.createError = errorText(e);
        return scrub(out, secrets);
      }

      var signed = await apply("signInWithPassword", function () {
        return client.auth.signInWithPassword({email: String(a.email || ""), password: String(a.password || "")});
      }, out.signIn);
      if (signed && signed.session) {
        secrets.push(signed.session.access_token, signed.session.refresh_token);
        out.signIn.expiresAt = signed.session.expires_at || 0;
      }
      if (signed && signed.user) { out.signIn.userId = signed.user.id || ""; }

      var before = "";
      var got = await apply("getSession", function () { return client.auth.getSession(); }, blankResult());
      var sess = got && got.session;
      if (sess) {
        before = sess.access_token || "";
        secrets.push(sess.access_token, sess.refresh_token);
        out.session = {
          present: true,
          expiresAt: sess.expires_at || 0,
          tokenType: sess.token_type || "",
          hasRefreshToken: !!sess.refresh_token,
          userId: (sess.user && sess.user.id) || "",
        };
        out.accessTokenClaims = decodeClaims(sess.access_token);
      }

      var user = await apply("getUser", function () { return client.auth.getUser(); }, out.getUser);
      if (user && user.user) { out.getUser.userId = user.user.id || ""; }

      var refreshed = await apply("refreshSession", function () { return client.auth.refreshSession(); }, out.refresh);
      if (refreshed && refreshed.session) {
        secrets.push(refreshed.session.access_token, refreshed.session.refresh_token);
      }
      var again = await apply("getSession after refresh", function () { return client.auth.getSession(); }, blankResult());
      var after = (again && again.session && again.session.access_token) ||
        (refreshed && refreshed.session && refreshed.session.access_token) || "";
      if (again && again.session) { secrets.push(again.session.access_token, again.session.refresh_token); }
      out.refresh.changed = out.refresh.ok && before !== "" && after !== "" && after !== before;

      // Keys are read while signed in: that is where supabase-js keeps the session.
      out.storageKeys = storageKeys();

      // scope "local" ends this browser's session only: supabase-js's
      // default ("global", GoTrue's POST /logout default) would also end
      // every other session of the test user, mfconform's own Go-side
      // ones among them (supabase-js GoTrueClient.signOut; GoTrue
      // internal/api/logout.go).
      await apply("signOut", function () { return client.auth.signOut({ scope: "local" }); }, out.signOut);
      var last = await apply("getSession after signOut", function () { return client.auth.getSession(); }, blankResult());
      out.afterSignOut.present = !!(last && last.session);
      out.afterSignOut.storageKeys = storageKeys();
    } catch (e) {
      out.createError = out.createError || ("driver: " + errorText(e));
    }
    return scrub(out, secrets);
  };
})();
